#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine with
# Python 3.11, then run the whole suite. The README's test command and .ci/run
# both call exactly this. Extra arguments go to pytest.
#
# The OpenStack tests start real OpenStack services on loopback (tests/peers/
# realstack): the test session installs them (RabbitMQ and MariaDB from apt,
# OpenStack from PyPI into ~/.cache/hybridtui-realstack, kept between runs) and
# needs root for that, as CI has.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# System packages: tmux drives the end-to-end test; python3-venv makes venvs
# on Debian's own Python; openssh-server and sudo are what the loopback sshd
# boxes (tests/peers/sshd_box.py) run, each in its own namespace: the host's
# accounts and /etc/ssh are never changed by a test.
apt_needed=()
command -v tmux >/dev/null 2>&1 || apt_needed+=(tmux)
[ -x /usr/sbin/sshd ] || apt_needed+=(openssh-server)
command -v sudo >/dev/null 2>&1 || apt_needed+=(sudo)
# Debian's Chromium: Playwright drives it against `hybridtui serve` (no browser
# download); tesseract reads the text back from its screenshot
command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium)
command -v tesseract >/dev/null 2>&1 || apt_needed+=(tesseract-ocr)
python3 -c 'import ensurepip' >/dev/null 2>&1 || apt_needed+=(python3-venv)
if [ ${#apt_needed[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  echo "tests/run.sh: installing ${apt_needed[*]} (apt)"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${apt_needed[@]}" >/dev/null
fi

venv="${HYBRIDTUI_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'

"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check -q .
"$venv/bin/mypy"  # strict, on the package: [tool.mypy] in pyproject.toml
# Two workers (this is a 2-core machine): the OpenStack tests, which wait on
# real services, run on one while the rest run on the other (see conftest's
# pytest_collection_modifyitems). HYBRIDTUI_TEST_WORKERS=0 runs in one process.
exec "$venv/bin/python" -m pytest -n "${HYBRIDTUI_TEST_WORKERS:-2}" --dist loadgroup "$@"
