"""Shared fixtures: a loopback-only network guard, isolated config/cache dirs,
a frozen clock and small simulator configs."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hybridtui.config import AppConfig
from hybridtui.paths import resolve_paths
from hybridtui.providers.simulator.epoch import DEMO_EPOCH
from hybridtui.settings import Settings

# ------------------------------------------------------------ loopback guard

# Cloud SDKs look for credentials on instance metadata servers (169.254.169.254,
# metadata.google.internal) when none are configured. No test may: these are set
# before any SDK is imported, for this process and every process a test starts.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["NO_GCE_CHECK"] = "True"
os.environ["GCE_METADATA_HOST"] = os.environ["GCE_METADATA_IP"] = "127.0.0.1:9"


class NonLoopbackConnectionError(AssertionError):
    """A test tried to reach an address outside 127.0.0.0/8 and ::1."""


def _check_address(address: Any) -> None:
    if not isinstance(address, tuple) or not address:
        return  # AF_UNIX paths and the like
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", "ip6-localhost"):
        return
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        raise NonLoopbackConnectionError(
            f"connection to unresolved host {host!r} refused by test guard"
        ) from None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_loopback:
        raise NonLoopbackConnectionError(
            f"connection to {host} refused: tests may only reach loopback"
        )


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    # Installed for the whole session, before any test module imports an SDK.
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test on the real OpenStack services goes to one pytest-xdist worker
    (tests/run.sh runs two, `--dist loadgroup`): the stack serves one test session
    at a time (`realstack_in_use`), so tests spread over both workers would make
    one worker wait for the other's whole session. A test that asks for the
    stack at run time (`getfixturevalue`) carries the `openstack` mark instead."""
    for item in items:
        if "realstack" in getattr(item, "fixturenames", ()) or item.get_closest_marker("openstack"):
            item.add_marker(pytest.mark.xdist_group("realstack"))


# ------------------------------------------------------------------ isolation


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, cache and themes live in tmp_path; a user's real ones are never read."""
    home = tmp_path / "hybridtui-home"
    monkeypatch.setenv("HYBRIDTUI_HOME", str(home))
    for var in ("HYBRIDTUI_CONFIG", "HYBRIDTUI_THEME", "HYBRIDTUI_BENCH_FIRST_PAINT"):
        monkeypatch.delenv(var, raising=False)
    return home


FROZEN_NOW = DEMO_EPOCH.timestamp()


@pytest.fixture
def frozen_clock() -> Iterator[Any]:
    return lambda: FROZEN_NOW


def sim_cloud(name: str, profile: str, **knobs: Any) -> dict[str, Any]:
    """A simulator cloud entry that answers at once unless told otherwise."""
    return {
        "name": name,
        "kind": "simulator",
        "profile": profile,
        "latency": 0.0,
        "jitter": 0.0,
        **knobs,
    }


THREE_CLOUDS = [
    sim_cloud("aws-sim", "aws-default-vpc"),
    sim_cloud("gce-sim", "gce-access-config"),
    sim_cloud("os-fip", "openstack-floating-ip"),
]


def make_settings(
    clouds: list[dict[str, Any]] | None = None,
    *,
    offline: bool = False,
    demo: bool = True,
    theme: str | None = None,
    **extra: Any,
) -> Settings:
    config = AppConfig.validate({"clouds": clouds or THREE_CLOUDS, **extra})
    return Settings(
        config=config,
        source="test config",
        demo=demo,
        offline=offline,
        paths=resolve_paths(),
        theme=theme,
    )


# ------------------------------------------------------------------ AWS peer


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One moto server (real EC2 API over HTTP on loopback) for the session."""
    from peers.moto_ec2 import moto_server

    with moto_server(tmp_path_factory.mktemp("moto")) as url:
        yield url


@pytest.fixture
def aws_env(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean moto, and an AWS profile `hybrid-test` in throw-away config files."""
    from peers.moto_ec2 import reset

    reset(moto_url)
    creds = tmp_path / "aws-credentials"
    creds.write_text(
        "[hybrid-test]\naws_access_key_id = AKIDTESTINGONLY\naws_secret_access_key = testing-secret\n"
    )
    conf = tmp_path / "aws-config"
    conf.write_text("[profile hybrid-test]\nregion = eu-west-1\n")
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(conf))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never probe 169.254.169.254
    return moto_url


def aws_cloud(endpoint: str, name: str = "aws", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "aws",
        "profile": "hybrid-test",
        "regions": ["eu-west-1"],
        "endpoint_url": endpoint,
        "timeout": 10,
        **extra,
    }


# ------------------------------------------------------------ OpenStack peer

REALSTACK = Path(__file__).parent / "peers" / "realstack"


def realstack_home() -> Path:
    default = (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hybridtui-realstack"
    )
    return Path(os.environ.get("RS_HOME") or default)


def realstack_port(service: str) -> int:
    """A realstack service's port: `RS_<SERVICE>_PORT` from the environment, else
    the default in lib/env.sh (the one place the ports are written down)."""
    var = f"RS_{service.upper()}_PORT"
    if os.environ.get(var):
        return int(os.environ[var])
    env_sh = (REALSTACK / "lib" / "env.sh").read_text()
    m = re.search(r"\$\{" + var + r":=(\d+)\}", env_sh)
    assert m, f"{var} is not set in lib/env.sh"
    return int(m.group(1))


def realstack_url(service: str) -> str:
    return f"http://127.0.0.1:{realstack_port(service)}"


def _realstack_answers() -> bool:
    import urllib.request

    try:
        for url in (
            realstack_url("keystone") + "/v3",
            realstack_url("nova") + "/",
            realstack_url("neutron") + "/",
        ):
            urllib.request.urlopen(url, timeout=3).read()
    except OSError:
        return False
    return True


@contextmanager
def realstack_in_use(home: Path, say: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the stack for this process alone until the block ends.

    Tests and benchmarks change what the whole demo project sees (its quotas,
    its free floating IPs, an extra network, every `hybridtui-*` key pair that
    a clean-up removes), so two test sessions on one stack make each other
    fail: a second session waits here, and says so, until the first is done.
    """
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    with (home / ".users.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"\nrealstack: another test session or benchmark is using {home}; waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def realstack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Real keystone, nova, neutron, glance and placement on loopback, once per
    session (reused if this machine already runs it); yields its clouds.yaml.

    One test session at a time uses the stack (`realstack_in_use`); the stack
    is stopped at the end only if this session started it.
    """
    import subprocess

    home = realstack_home()
    clouds = home / "state" / "clouds.yaml"
    marker = home / "started-by-tests"
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def say(line: str) -> None:
        with capture.global_and_fixture_disabled():
            print(line, file=sys.stderr, flush=True)

    with realstack_in_use(home, say):
        if not (clouds.is_file() and _realstack_answers()):
            if os.geteuid() != 0:
                pytest.fail(
                    "the OpenStack tests start real services (apt, MariaDB, RabbitMQ): run tests/run.sh as root"
                )
            log = tmp_path_factory.mktemp("realstack") / "up.log"
            with log.open("w") as out:
                proc = subprocess.run(
                    ["bash", str(REALSTACK / "up.sh")],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=1200,
                )
            if proc.returncode != 0:
                pytest.fail(
                    "realstack did not start:\n" + "\n".join(log.read_text().splitlines()[-30:])
                )
            marker.touch()
        try:
            yield clouds
        finally:
            if marker.exists():
                subprocess.run(
                    ["bash", str(REALSTACK / "down.sh")], capture_output=True, timeout=180
                )
                marker.unlink(missing_ok=True)


@pytest.fixture
def os_clouds(realstack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clouds.yaml of our own: realstack's clouds plus variants tests add to it."""
    import yaml

    data = yaml.safe_load(realstack.read_text())
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    for var in [v for v in os.environ if v.startswith("OS_") and v != "OS_CLIENT_CONFIG_FILE"]:
        monkeypatch.delenv(var, raising=False)
    return path


def add_cloud(clouds_yaml: Path, name: str, base: str = "realstack", **changes: Any) -> None:
    """Add a variant of a realstack cloud (wrong password, endpoint through a proxy…)."""
    import copy

    import yaml

    data = yaml.safe_load(clouds_yaml.read_text())
    cloud = copy.deepcopy(data["clouds"][base])
    for key, value in changes.items():
        if key.startswith("auth."):
            cloud["auth"][key.removeprefix("auth.")] = value
        else:
            cloud[key] = value
    data["clouds"][name] = cloud
    clouds_yaml.write_text(yaml.safe_dump(data))


@contextmanager
def services_through_proxies(clouds_yaml: Path, name: str) -> Iterator[tuple[Any, Any, Any]]:
    """Cloud `name`: realstack with Nova, Neutron and Glance each reached
    through a fault proxy (which counts requests by path); yields the proxies."""
    from peers.fault_proxy import fault_proxy

    with (
        fault_proxy(realstack_url("nova")) as nova,
        fault_proxy(realstack_url("neutron")) as neutron,
        fault_proxy(realstack_url("glance")) as glance,
    ):
        add_cloud(
            clouds_yaml,
            name,
            compute_endpoint_override=f"{nova.url}/v2.1",
            network_endpoint_override=neutron.url,
            image_endpoint_override=glance.url,
        )
        yield nova, neutron, glance


def os_cloud(cloud: str = "realstack", name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name or cloud, "kind": "openstack", "cloud": cloud, "timeout": 20, **extra}


# ------------------------------------------------------------------ GCE peer


@pytest.fixture
def gce(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The local GCE REST peer, and Application Default Credentials that resolve
    to the bearer token it accepts (the credential *source* is substituted; every
    API call still goes through the real google-cloud-compute client over HTTP)."""
    import google.auth
    from google.auth.compute_engine import _metadata
    from google.oauth2.credentials import Credentials
    from peers.gce_peer import TOKEN, gce_peer

    # never probe the metadata server (google-auth reads NO_GCE_CHECK at import)
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)
    monkeypatch.setattr(
        google.auth, "default", lambda scopes=None, **_: (Credentials(token=TOKEN), "hybrid-test")
    )
    with gce_peer() as peer:
        yield peer


def gce_cloud(url: str, name: str = "gcp", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "gce",
        "project": "hybrid-test",
        "zones": ["europe-west1-b"],
        "api_endpoint": url,
        "timeout": 10,
        **extra,
    }


# ------------------------------------------------------------- comparator


def scorecard_of(targets: list[Any], spec: Any = None) -> Any:
    """One refresh of `targets` through the real poller, then the scorecard:
    the same path as `hybridtui compare`, without the cache."""
    from hybridtui.interop.scorecard import build
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import Poller

    poller = Poller(targets, cache=None)
    try:
        snaps = {o.cloud: o.snapshot for o in poller.poll()}
    finally:
        poller.close()
    return build([site_for(t, snaps[t.name]) for t in targets], spec)


# ------------------------------------------------------------ Pilot helpers
async def settle(app: Any, pilot: Any) -> None:
    """Wait for every worker of the app (polls, cache read, comparator), then
    for the messages they posted."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def scored(app: Any, pilot: Any) -> None:
    """Settle until the scorecard is computed on what the panes show."""
    await settle(app, pilot)
    for _ in range(50):
        if app.scorecard_settled:
            break
        await settle(app, pilot)
    assert app.scorecard_settled
