"""Privacy mode (`--privacy`, `privacy: true`): what `inventory` and `compare`
print holds none of the IP addresses, ids and fingerprints of the records, on
the demo clouds, the moto EC2 peer and the GCE REST peer; the same value gets
the same mask, and what is decided from the real values stays right."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import THREE_CLOUDS, aws_cloud, gce_cloud, make_settings, sim_cloud

from hybridtui.cli import main
from hybridtui.domain import ResourceKind
from hybridtui.paths import resolve_paths
from hybridtui.privacy import Masker, load_salt
from hybridtui.ui.app import make_app

#: Words of a record's keys whose values identify something: addresses, ids,
#: owners, fingerprints, MACs, host names. Values are found by their key, not by
#: the masker's patterns, so a shape the masker does not know fails here.
SENSITIVE_WORDS = {
    "ip",
    "ips",
    "address",
    "addresses",
    "addr",
    "cidr",
    "cidrs",
    "fingerprint",
    "mac",
    "dns",
    "owner",
    "account",
    "project",
    "tenant",
}
#: Values under such keys that identify no one.
HARMLESS = {"0.0.0.0/0", "::/0"}


def key_words(key: str) -> list[str]:
    """`PrivateIpAddress` → private, ip, address; `natIP` → nat, ip; `tenant_id` → tenant, id."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", key)]


def sensitive(key: str) -> bool:
    words = key_words(key)
    if not words or words[-1] in ("type", "kind", "version", "count", "family"):
        return False  # `OS-EXT-IPS:type`: what kind of address, not which
    return bool(SENSITIVE_WORDS & set(words)) or words[-1] in ("id", "ids")


def sensitive_values(doc: Any, key: str = "", names: frozenset[str] = frozenset()) -> set[str]:
    """Every string under a sensitive key in a JSON document (list items take
    their list's key), and each address in the normalised `addresses` cells
    (`10.0.0.5(fixed)`). A GCE id is `zone/name`: names are not hidden."""
    found: set[str] = set()
    if isinstance(doc, Mapping):
        if doc.get("kind") == "flavors":
            return found  # machine sizes: the same catalogue, and ids, for everyone
        for k, v in doc.items():
            if not k.endswith("ZoneId"):  # `euw1-az1`: the same for every account
                found |= sensitive_values(v, k, names)
    elif isinstance(doc, list):
        for v in doc:
            found |= sensitive_values(v, key, names)
    elif isinstance(doc, str) and sensitive(key):
        value = doc.split("(")[0]
        if len(value) >= 7 and value not in HARMLESS and value.rpartition("/")[2] not in names:
            found.add(value)
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_config(tmp_path: Path, clouds: list[dict[str, Any]]) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"clouds": clouds}))
    return str(path)


def check_every_export(capsys: pytest.CaptureFixture[str], config: str) -> dict[str, Any]:
    """Print every export plain and masked; the masked ones hold none of the
    plain one's sensitive values. Returns the masked `--kind all --raw` JSON."""
    every = ("inventory", "--kind", "all", "--format", "json", "--raw")
    code, plain, err = run(capsys, "--config", config, *every)
    assert code == 0, err
    doc = json.loads(plain)
    secrets = sensitive_values(doc, names=frozenset(r["name"] for r in doc["records"]))
    assert len(secrets) > 10, "the records hold addresses and ids to hide"
    exports = [
        every,
        ("--offline", *every),  # printed from the cache's dicts, not built records
        ("inventory", "--format", "table"),
        ("inventory", "--format", "csv"),
        ("inventory", "--kind", "networks", "--format", "csv"),
        ("inventory", "--kind", "keys", "--format", "csv"),
        ("compare", "--format", "json"),
        ("compare", "--format", "markdown"),
        ("compare",),
    ]
    masked: dict[str, Any] = {}
    for argv in exports:
        code, out, err = run(capsys, "--config", config, "--privacy", *argv)
        assert code == 0, err
        leaked = sorted(s for s in secrets if s in out or s in err)
        assert not leaked, f"{' '.join(argv)} shows {leaked[:5]}"
        if argv == every:
            masked = json.loads(out)
    return masked


def test_demo_clouds_every_export_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        [
            sim_cloud("aws-sim", "aws-default-vpc"),
            sim_cloud("os-fip", "openstack-floating-ip"),
            sim_cloud("gce-sim", "gce-access-config"),
        ],
    )
    doc = check_every_export(capsys, config)
    nodes = [r for r in doc["records"] if r["kind"] == "nodes"]
    assert nodes
    assert all(n["name"] and not n["name"].startswith("ip#") for n in nodes)
    public = [n for n in nodes if n["public_ip"]]
    assert public, "nodes with a public address still show one (masked)"
    assert all(n["public_ip"].startswith("ip#") for n in public)


def test_moto_records_masked_and_related(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, aws_env: str
) -> None:
    from test_aws import launch_ubuntu

    ec2 = launch_ubuntu(aws_env, count=2)
    ec2.create_key_pair(KeyName="ops-prod")
    doc = check_every_export(capsys, write_config(tmp_path, [aws_cloud(aws_env)]))
    mask = Masker(load_salt(resolve_paths().data_dir)).text  # this machine's salt
    real = {
        mask(i["InstanceId"]): i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
    }
    nodes = [r for r in doc["records"] if r["kind"] == "nodes"]
    assert len(nodes) == 2
    for node in nodes:
        raw, instance = node["raw"], real[node["id"]]
        assert node["id"].startswith("i-#")
        assert node["id"] == raw["InstanceId"]
        assert node["public_ip"] == raw["PublicIpAddress"] == mask(instance["PublicIpAddress"])
        fixed = [a["ip"] for a in node["addresses"] if a["kind"] == "fixed"]
        assert fixed == [raw["PrivateIpAddress"]]
        assert raw["PrivateIpAddress"] == mask(instance["PrivateIpAddress"])
        assert raw["ImageId"] == mask(instance["ImageId"]), "the node's image, as the image's id"
    images = {r["id"] for r in doc["records"] if r["kind"] == "images"}
    assert {n["raw"]["ImageId"] for n in nodes} <= images
    (key,) = [r for r in doc["records"] if r["kind"] == "keys" and r["name"] == "ops-prod"]
    assert key["fingerprint"].startswith("fp#")


def test_gce_peer_records_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, gce: Any
) -> None:
    from test_gce import provider, spec

    for name in ("web-1", "web-2"):
        provider(gce).create_node(spec(name))
    doc = check_every_export(capsys, write_config(tmp_path, [gce_cloud(gce.url)]))
    text = json.dumps(doc)
    assert "hybrid-test" not in text, "the configured project is masked wherever it appears"
    nodes = [r for r in doc["records"] if r["kind"] == "nodes"]
    assert {n["name"] for n in nodes} == {"web-1", "web-2"}
    assert all(n["public_ip"].startswith("ip#") for n in nodes)


# ------------------------------------------------------------------ the masker


REAL_SHAPES = [
    # AWS DescribeInstances, DescribeKeyPairs
    '"InstanceId": "i-0abc123def4567890", "ImageId": "ami-0f8c1e5b8a4c5e9a5",',
    '"OwnerId": "099720109477", "PrivateDnsName": "ip-10-0-1-5.eu-west-1.compute.internal",',
    '"MacAddress": "02:42:ac:11:00:02", "VpcId": "vpc-1a2b3c4d", "SubnetId": "subnet-9f8e7d6c",',
    '"KeyFingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",',
    '"KeyFingerprint": "lAdI3mMbaYvPr4ZTbkUW4+IDx4uFn3nQ/Qm8qEsTKkU=", "KeyType": "ed25519",',
    '"PublicIpAddress": "54.93.12.201", "CidrBlock": "172.31.0.0/16",',
    # OpenStack server and keypair
    '"id": "0d3f8c1e-5b8a-4c5e-9a51-2f1d2c3b4a5f", "tenant_id": "6c4e5f0a9b8d4c7e8f9a0b1c2d3e4f5a",',
    '"addr": "2001:db8:85a3::8a2e:370:7334", "fingerprint": "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"',
    # GCE instance
    '"selfLink": "https://compute.googleapis.com/compute/v1/projects/acme-prod-42/zones/x/instances/a",',
    '"id": "4567890123456789012", "natIP": "34.76.1.2"',
]
SECRETS = [
    "i-0abc123def4567890",
    "ami-0f8c1e5b8a4c5e9a5",
    "099720109477",
    "ip-10-0-1-5",
    "02:42:ac:11:00:02",
    "vpc-1a2b3c4d",
    "subnet-9f8e7d6c",
    "1f:51:ae:28",
    "lAdI3mMbaYvPr4ZTbkUW4",
    "54.93.12.201",
    "172.31.0.0",
    "0d3f8c1e-5b8a",
    "6c4e5f0a9b8d4c7e8f9a0b1c2d3e4f5a",
    "2001:db8:85a3",
    "47DEQpj8HBSa",
    "acme-prod-42",
    "4567890123456789012",
    "34.76.1.2",
]


def test_real_shapes_are_masked_with_masks_as_long() -> None:
    m = Masker(b"k" * 32)
    for line in REAL_SHAPES:
        masked = m.text(line)
        assert len(masked) == len(line), "a mask is as long as what it hides"
        for s in SECRETS:
            assert s not in masked, (s, masked)
        assert m.text(masked) == masked, "a mask is not masked again"


def test_what_identifies_no_one_is_kept() -> None:
    m = Masker(b"k" * 32)
    kept = (
        "rule 0.0.0.0/0 and ::/0 on port 22; 127.0.0.1; Ubuntu 22.04 at 2026-12-02T12:34:56Z; "
        "t3.micro; m1.small; e2-standard-2; ubuntu-2204-jammy-v20261101; 8 vCPU, 16 GiB"
    )
    assert m.text(kept) == kept


def test_same_value_same_mask_and_the_salt_decides() -> None:
    a, b = Masker(b"a" * 32), Masker(b"b" * 32)
    assert a.text("10.0.0.5") == Masker(b"a" * 32).text("at 10.0.0.5")[3:]
    assert a.text("10.0.0.5") != a.text("10.0.0.6")
    assert a.text("10.0.0.5") != b.text("10.0.0.5"), "without the salt a mask cannot be redone"
    assert a.text("10.0.0.0/24") == a.text("10.0.0.0") + "/24"


def test_known_values_are_masked_wherever_they_appear() -> None:
    m = Masker(b"k" * 32, known=["acme-prod"])
    out = m.text("project acme-prod; network acme-prod-net; acme-production")
    assert "project acme-prod;" not in out
    assert "acme-prod-net" in out, "only the whole value"
    assert "acme-production" in out


def test_the_salt_is_made_once_and_private(tmp_path: Path) -> None:
    salt = load_salt(tmp_path / "data")
    assert load_salt(tmp_path / "data") == salt
    assert len(salt) == 32
    assert (tmp_path / "data" / "privacy.salt").stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------ the dashboard


def screen_text(app: Any) -> str:
    """Every line on screen, as drawn (after the app's line filters)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_every_screen_of_the_dashboard_is_masked(frozen_clock: Any) -> None:
    """`--privacy` from the start: each tab, the unified table, a node's details,
    the health view, the scorecard and a check's evidence, the provisioning
    screen and a copied row hold no address, id or fingerprint of the records;
    `m` shows them again (so this test can see them) and hides them again."""
    settings = dataclasses.replace(make_settings(THREE_CLOUDS), privacy=True)
    app = make_app(settings, clock=frozen_clock)
    copied: list[str] = []
    async with app.run_test(size=(200, 50)) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await app.workers.wait_for_complete()
        await pilot.pause()
        secrets: set[str] = set()
        names: set[str] = set()
        for snap in app.model.snapshots.values():
            for kind in ResourceKind:
                for rec in snap.resources(kind):
                    names.add(rec.name)
                    if kind is not ResourceKind.FLAVORS:
                        secrets |= sensitive_values({**rec.to_dict(), "raw": dict(rec.raw)})
        secrets = {s for s in secrets if s.rpartition("/")[2] not in names}
        assert len(secrets) > 50

        async def masked(where: str) -> str:
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = screen_text(app)
            leaked = sorted(s for s in secrets if s in text)
            assert not leaked, f"{where} shows {leaked[:5]}"
            return text

        assert "ip#" in await masked("the nodes tab")
        for key in "2345678":
            await pilot.press(key)
            await masked(f"tab {key}")
        await pilot.press("1", "u")
        await masked("the unified table")
        await pilot.press("u", "enter")
        await masked("a node's details")
        await pilot.press("escape", "Y")
        assert copied
        assert not [s for s in secrets if s in copied[-1]], "a copied row is masked"
        await pilot.press("i")
        await masked("the health view")
        await pilot.press("escape", "9")
        await masked("the scorecard")
        await pilot.press("enter")
        await masked("a check's evidence")
        await pilot.press("escape", "1", "p")
        await masked("the provisioning screen")
        await pilot.press("escape", "m")
        await pilot.pause()
        shown = screen_text(app)
        assert [s for s in secrets if s in shown], "privacy off: the real values are back"
        await pilot.press("m")
        await masked("privacy mode on again")
