"""`hybridtui provision`, `destroy` and `cleanup` as a user runs them: in a
process of their own, interrupted (Ctrl-C) or killed (SIGKILL) after any step,
against demo clouds and moto; nothing they made is left afterwards."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import sim_cloud

ROOT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl operator@laptop"


def default_sigint() -> None:
    """Ctrl-C acts in the child as at a terminal. A test run started in the
    background by a non-interactive shell (`cmd &`) inherits SIGINT ignored,
    and Python keeps an ignored SIGINT ignored: the run went on to the end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def signalled_after(
    cfg: Path,
    cloud: str,
    step: int,
    sig: signal.Signals,
    on_step: Callable[[int], None] | None = None,
) -> subprocess.Popen[str]:
    """`hybridtui provision` in a process of its own, sent `sig` as soon as it
    printed the end of step `step` (`on_step` sees every step end before)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            cloud,
            "--spec",
            "image=ubuntu",
            "--yes",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        ended = line.split()[1:2]
        if on_step is not None and ended and ended[0].isdigit():
            on_step(int(ended[0]))
        if ended == [str(step)]:
            proc.send_signal(sig)
            break
    return proc


# ------------------------------------------------------------ command line


def write_config(path: Path, *clouds: dict[str, Any]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"clouds": list(clouds)}))
    return path


def test_provision_destroy_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    from hybridtui.cli import main

    cfg = write_config(
        tmp_path / "c.yaml",
        sim_cloud("fip", "openstack-floating-ip"),
        sim_cloud("aws", "aws-default-vpc"),
        {**sim_cloud("ro", "aws-default-vpc"), "read_only": True},
    )
    root = tmp_path / "id_ed25519.pub"
    root.write_text(ROOT_KEY + "\n")
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--root-key",
            str(root),
            "--yes",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    runs = {r["cloud"]: r for r in json.loads(out)["clouds"]}
    assert [s["status"] for s in runs["fip"]["steps"]] == ["ok"] * 8
    assert runs["aws"]["node"]["login"] == "admin", "Debian logs in as admin on AWS"
    assert runs["fip"]["node"]["login"] == "debian", "and as debian on OpenStack"
    # the node outlives the process: the next command sees it, destroy removes it
    code = main(["inventory", "--config", str(cfg), "--cloud", "fip", "--format", "json"])
    names = [r["name"] for r in json.loads(capsys.readouterr().out)["records"]]
    assert runs["fip"]["node"]["name"] in names
    code = main(
        ["destroy", "--config", str(cfg), "--cloud", "fip", "--yes", runs["fip"]["node"]["name"]]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"node {runs['fip']['node']['id']} deleted" in out
    code = main(["inventory", "--config", str(cfg), "--cloud", "fip", "--format", "json"])
    assert runs["fip"]["node"]["name"] not in [
        r["name"] for r in json.loads(capsys.readouterr().out)["records"]
    ]
    # refusals: nothing is created
    code = main(
        ["provision", "--config", str(cfg), "--cloud", "ro", "--spec", "image=debian", "--yes"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "ro is read-only: nothing is provisioned there" in err
    code = main(
        ["provision", "--config", str(cfg), "--cloud", "aws", "--spec", "image=debian-7", "--yes"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "no debian 7" in err
    code = main(
        [
            "--read-only",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--yes",
        ]
    )
    assert code == 2
    assert "read-only" in capsys.readouterr().err
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--yes",
            "--root-key",
            str(tmp_path / "c.yaml"),
        ]
    )
    assert code == 2
    assert "not an OpenSSH public key" in capsys.readouterr().err
    code = main(["destroy", "--config", str(cfg), "--cloud", "aws", "--yes", "web-prod-01"])
    assert code == 2
    assert "was not made by hybridtui: it is not deleted" in capsys.readouterr().err


# On the demo's floating-IP cloud: before the node (1), with a node (4), with a
# floating IP too (5), and late (7). test_interrupted_on_moto_leaves_nothing
# interrupts after every step, on a real peer.
DEMO_STEPS = [1, 4, 5, 7]


@pytest.mark.parametrize("after_step", DEMO_STEPS)
def test_sigkill_mid_run_then_cleanup_leaves_nothing(tmp_path: Path, after_step: int) -> None:
    """A provisioning process killed right after step N: the ledger and the
    tags let `cleanup` remove everything it made."""
    import json
    import os
    import signal
    import subprocess
    import sys

    cfg = write_config(tmp_path / "c.yaml", sim_cloud("fip", "openstack-floating-ip", latency=0.3))
    proc = signalled_after(cfg, "fip", after_step, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hybridtui", *argv, "--config", str(cfg)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    nodes = json.loads(
        run("inventory", "--cloud", "fip", "--kind", "all", "--format", "json").stdout
    )["records"]
    left = [r["id"] for r in nodes if r["kind"] == "nodes" and r["name"].startswith("hybrid-")]
    if after_step >= 4:
        assert left, "a node was left"
    done = run("cleanup", "--yes")
    assert done.returncode == 0, done.stderr
    if after_step >= 4:
        assert f"node {left[0]} deleted" in done.stdout
    assert "deleted" in done.stdout
    after = json.loads(
        run("inventory", "--cloud", "fip", "--kind", "all", "--format", "json").stdout
    )["records"]
    assert not any(r["kind"] == "nodes" and r["name"].startswith("hybrid-") for r in after)
    assert not any(r["kind"] == "keys" and r.get("managed") for r in after)
    assert not any(r["kind"] == "addresses" and r.get("managed") for r in after)
    keys_dir = Path(os.environ["HYBRIDTUI_HOME"]) / "data" / "node-keys"
    assert not any(f.is_file() for f in keys_dir.rglob("*")), "the node's private key is gone too"
    again = run("cleanup", "--yes")
    assert (again.returncode, again.stdout) == (0, ""), "nothing left to clean"


@pytest.mark.parametrize("after_step", DEMO_STEPS)
def test_ctrl_c_mid_run_rolls_back_and_exits_130(tmp_path: Path, after_step: int) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys

    cfg = write_config(tmp_path / "c.yaml", sim_cloud("fip", "openstack-floating-ip", latency=0.3))
    proc = signalled_after(cfg, "fip", after_step, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: rolling back what was made" in err
    if "finished before the interrupt took effect" in err:  # its last step was already running
        assert after_step >= 6, err
        node = err.split("node ", 1)[1].split()[0]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hybridtui",
                "destroy",
                "--config",
                str(cfg),
                "--cloud",
                "fip",
                "--yes",
                node,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    elif after_step >= 4:
        # the node Nova made, by its id (a UUID)
        assert re.search(
            r"rolled back: node [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-", err
        )
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "inventory",
            "--config",
            str(cfg),
            "--kind",
            "all",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    records = json.loads(listed.stdout)["records"]
    assert not any(r["kind"] == "nodes" and r["name"].startswith("hybrid-") for r in records)
    assert not any(r["kind"] in ("keys", "addresses") and r.get("managed") for r in records)
    keys_dir = Path(os.environ["HYBRIDTUI_HOME"]) / "data" / "node-keys"
    assert not any(f.is_file() for f in keys_dir.rglob("*"))
    left = subprocess.run(
        [sys.executable, "-m", "hybridtui", "cleanup", "--config", str(cfg), "--yes"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (left.returncode, left.stdout) == (0, ""), "the ledger has nothing left to clean"


#: Ctrl-C after every step that can leave something (2 only reads, like 1 and 3);
#: SIGKILL where what the ledger holds differs: a key; a key and maybe a node
#: (the kill lands during step 4); a key and a node; late, with a login done.
MOTO_INTERRUPTS = [
    *[pytest.param(signal.SIGINT, n, id=f"{n}-ctrl-c") for n in (1, 3, 4, 5, 6, 7)],
    *[pytest.param(signal.SIGKILL, n, id=f"{n}-sigkill") for n in (1, 3, 4, 7)],
]


@pytest.mark.parametrize(("sig", "after_step"), MOTO_INTERRUPTS)
def test_interrupted_on_moto_leaves_nothing(
    aws_env: str, isolated_home: Path, tmp_path: Path, sig: signal.Signals, after_step: int
) -> None:
    """The same on a real peer: `hybridtui provision` against moto over HTTP,
    steps 6-8 over SSH to a loopback sshd box, interrupted after each step in
    turn. Ctrl-C rolls back before exiting 130; after SIGKILL, `cleanup`
    removes what the run left. Counted through the EC2 API."""
    import boto3
    from conftest import aws_cloud
    from peers.sshd_box import available, sshd_box

    from hybridtui.provisioning.ssh import public_line

    if available() is not None:
        pytest.fail(f"the sshd box is part of this test: {available()}")
    with sshd_box("") as box:
        cfg = write_config(
            tmp_path / "c.yaml",
            # a slow cloud is not what this tests: a busy machine made moto's
            # cold catalogue take longer than the default 10 s
            aws_cloud(
                aws_env, read_only=False, timeout=30, overrides={"ssh_endpoint": box.endpoint}
            ),
        )

        def cloud_init(ended: int) -> None:
            """What cloud-init does with the key pair: the node key (read from the
            run's own key file once step 1 made it) logs in as ubuntu."""
            if ended == 1:
                (key,) = [f for f in (isolated_home / "data").rglob("hybridtui-*") if f.is_file()]
                box.add_key("ubuntu", public_line(key))

        proc = signalled_after(cfg, "aws", after_step, sig, on_step=cloud_init)
        out, err = proc.communicate(timeout=120)
    ec2 = boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name="eu-west-1", endpoint_url=aws_env
    )

    def live() -> list[str]:
        return [
            i["InstanceId"]
            for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] not in ("shutting-down", "terminated")
        ]

    cleanup = [sys.executable, "-m", "hybridtui", "cleanup", "--config", str(cfg), "--yes"]
    if sig is signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        # the kill lands while the next step runs: killed "after step 3", the
        # node may already be asked for (step 4). Either way cleanup finds it.
        # (steps 2 and 3 only read, so on a busy machine the run may be in step
        # 4 already when the kill lands after step 1 or 2: never beyond it)
        left = {1} if after_step >= 4 else {0, 1}
        assert len(live()) in left, "the killed run left its instance"
        assert len(ec2.describe_key_pairs()["KeyPairs"]) == 1, "and its key pair"
        done = subprocess.run(cleanup, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "deleted" in done.stdout
    else:
        assert proc.returncode == 130, (out, err)
        assert "interrupted: rolling back what was made" in err
        if "finished before the interrupt took effect" in err:  # step 8 was already running
            assert after_step >= 6, err  # 7 is skipped (no operator key here): 8 ran at once
            node = err.split("node ", 1)[1].split()[0]
            destroy = [sys.executable, "-m", "hybridtui", "destroy", "--config", str(cfg)]
            subprocess.run([*destroy, "--cloud", "aws", "--yes", node], check=True, timeout=120)
        elif after_step >= 4:
            assert "rolled back: node i-" in err
        done = subprocess.run(cleanup, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout) == (0, ""), "Ctrl-C left nothing to clean"
    assert live() == []
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ec2.describe_addresses()["Addresses"] == []


def test_root_keys_from_the_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import json

    import yaml

    from hybridtui.cli import main

    root = tmp_path / "ops.pub"
    root.write_text(ROOT_KEY + "\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {"clouds": [sim_cloud("fip", "openstack-floating-ip")], "root_keys": [str(root)]}
        )
    )
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--spec",
            "image=ubuntu",
            "--yes",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    step7 = json.loads(out)["clouds"][0]["steps"][6]
    assert step7["status"] == "ok"
    assert "root logs in with 1 operator key(s)" in step7["detail"]


def test_cleanup_finds_what_a_lost_ledger_forgot_on_moto(aws_env: str, tmp_path: Path) -> None:
    """A key pair and an Elastic IP tagged as hybridtui's that no ledger knows
    (a run killed between allocating and recording, on a machine whose ledger
    is gone) are found and removed by `cleanup`; the same things untagged are
    someone else's and stay. Counted through the EC2 API."""
    import boto3
    from conftest import aws_cloud

    ec2 = boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name="eu-west-1", endpoint_url=aws_env
    )
    ours = [{"Key": "hybridtui:managed", "Value": "true"}]
    material = ROOT_KEY.encode()
    ec2.import_key_pair(
        KeyName="hybridtui-lost",
        PublicKeyMaterial=material,
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": ours}],
    )
    ec2.import_key_pair(KeyName="ops-laptop", PublicKeyMaterial=material)
    lost = ec2.allocate_address(
        Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": ours}]
    )
    theirs = ec2.allocate_address(Domain="vpc")
    cfg = write_config(tmp_path / "c.yaml", aws_cloud(aws_env, read_only=False))
    cleanup = [sys.executable, "-m", "hybridtui", "cleanup", "--config", str(cfg), "--yes"]
    done = subprocess.run(cleanup, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "key hybridtui-lost: made by hybridtui, in no ledger" in done.stdout
    assert f"address {lost['PublicIp']}: allocated by hybridtui, attached to nothing" in done.stdout
    assert [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]] == ["ops-laptop"]
    assert [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]] == [theirs["PublicIp"]]
    again = subprocess.run(cleanup, capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stdout) == (0, "")


def test_a_live_line_per_cloud_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal (a pty here), `provision` keeps one line per cloud and
    redraws it in place with the running step, then the summary; the per-step
    log lines are for pipes only."""
    import os
    import pty
    import re

    cfg = write_config(
        tmp_path / "c.yaml",
        sim_cloud("a", "aws-default-vpc", latency=0.1),
        sim_cloud("b", "openstack-floating-ip", latency=0.1),
    )
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hybridtui", "provision", "--config", str(cfg)]
        + ["--cloud", "a", "--cloud", "b", "--spec", "image=ubuntu", "--yes"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"},
        preexec_fn=default_sigint,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    text = out.decode()
    assert "\x1b[2F" in text, "the two cloud lines are redrawn in place"
    assert re.search(r"a +⠋ 1/8 add node key", text), "a spinner on the running step"
    assert re.search(r"a +✓ 8/8 done in [\d.]+s", text)
    assert re.search(r"b +✓ 8/8 done in [\d.]+s", text)
    assert not re.search(r"(?m)^a +1 add node key +ok", text), "no log lines on a terminal"
    assert re.search(r"a +ok +hybrid-\w+ +198\.51\.100\.\d+ +ubuntu", text), "the summary"


def test_a_binary_root_key_file_is_refused_in_words(tmp_path: Path) -> None:
    """A DER key or any binary file given as --root-key was a UnicodeDecodeError."""
    from hybridtui.errors import UsageError
    from hybridtui.provisioning.operator import root_keys

    der = tmp_path / "key.der"
    der.write_bytes(b"\x30\x82\x01\x0a\x02\x82\x01\x01\x00\xc3")
    with pytest.raises(UsageError, match="not an OpenSSH public key"):
        root_keys([str(der)])
