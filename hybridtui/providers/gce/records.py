"""GCE REST records (dicts from `Message.to_dict`) → domain records. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from hybridtui.domain import (
    Address,
    AddressKind,
    CloudBehaviour,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    PublicAddress,
    PublicIpStrategy,
    Router,
    SecurityGroup,
    ssh_open,
)
from hybridtui.providers.normalize import (
    ANY_LOGIN_GCE,
    GCE_STATES,
    arch,
    arch_in_name,
    guess_distro,
    node_state,
)

#: GCE label keys allow only [a-z0-9_-]: this one marks what hybridtui created.
MANAGED_LABEL = "hybridtui-managed"


def last(link: str) -> str:
    """`…/zones/europe-west1-b/machineTypes/e2-micro` → `e2-micro`."""
    return link.rstrip("/").rsplit("/", 1)[-1] if link else ""


def ssh_key_entry(user: str, public_key: str, key_name: str, expire: datetime) -> str:
    """One `ssh-keys` metadata line, self-expiring (guest agent's google-ssh format)."""
    key = " ".join(public_key.split()[:2])
    meta = {"userName": user, "expireOn": expire.strftime("%Y-%m-%dT%H:%M:%S+0000")}
    return f"{user}:{key} google-ssh {json.dumps(meta, separators=(',', ':'))} hybridtui:{key_name}"


def expiry(hours: float, now: datetime) -> datetime:
    return now + timedelta(hours=hours)


def ssh_entries(instance: Mapping[str, Any]) -> list[str]:
    for item in (instance.get("metadata") or {}).get("items") or []:
        if item.get("key") == "ssh-keys":
            return [line for line in str(item.get("value") or "").splitlines() if line.strip()]
    return []


def boot_disk(instance: Mapping[str, Any]) -> str:
    """The instance's boot disk, as `instance id/disk self link` ('' if none).

    The instance id is in it because a disk link does not name one disk for
    ever: an instance deleted and made again under its name gets a new boot
    disk of the same name, maybe from another image, and a new instance id.
    """
    for disk in instance.get("disks") or []:
        if disk.get("boot") and disk.get("source"):
            return f"{instance.get('id', '')}/{disk['source']}"
    return ""


def boot_image(instance: Mapping[str, Any], disk_images: Mapping[str, str]) -> str:
    """The self link of the image the instance's boot disk was made from ('' if
    not known): instances only link their disks, disks name their image."""
    for disk in instance.get("disks") or []:
        if disk.get("boot"):
            return disk_images.get(str(disk.get("source") or ""), "")
    return ""


def subnetwork_label(network: str, region: str, name: str) -> str:
    """How the networks tab, step 3 and `overrides.network` name a subnetwork.
    An auto-mode network's subnetworks share its name, one per region:
    `default/europe-west1`. A custom-mode network may have several in one
    region, each named: `prod-vpc/prod-web`."""
    return f"{network}/{region}" if name == network else f"{network}/{name}"


def interface_network(nic: Mapping[str, Any]) -> str:
    """What a network interface is on, named as the networks tab names it: its
    subnetwork when the record says which, else its network."""
    net = last(nic.get("network", ""))
    sub = str(nic.get("subnetwork", ""))
    if not (net and "regions/" in sub):
        return net
    region = sub.split("regions/", 1)[1].split("/", 1)[0]
    return subnetwork_label(net, region, last(sub))


def node_id(zone: str, name: str) -> str:
    """hybridtui's id of an instance: every call names an instance by its zone
    and name (its numeric `id` is in none), so that is how it is found again."""
    return f"{zone}/{name}"


def node(
    instance: Mapping[str, Any],
    disk_images: Mapping[str, str] | None = None,
    images: Mapping[str, Image] | None = None,
    known_boot_images: Mapping[str, str] | None = None,
) -> Node:
    """`known_boot_images`: `boot_disk` → image name, from the last listing,
    for instances whose disk this listing did not describe."""
    zone = last(instance.get("zone", ""))
    image_link = boot_image(instance, disk_images or {})
    known = (images or {}).get(image_link)
    image = known.name if known else last(image_link)
    if not image and known_boot_images:
        image = known_boot_images.get(boot_disk(instance), "")
    addrs: list[Address] = []
    for nic in instance.get("network_interfaces") or instance.get("networkInterfaces") or []:
        net = interface_network(nic)
        ip = nic.get("network_i_p") or nic.get("networkIP")
        if ip:
            addrs.append(Address(ip, 4, AddressKind.FIXED, net))
        for ac in nic.get("access_configs") or nic.get("accessConfigs") or []:
            nat = ac.get("nat_i_p") or ac.get("natIP")
            if nat:
                addrs.append(Address(nat, 4, AddressKind.PUBLIC, net))
        for ac in nic.get("ipv6_access_configs") or nic.get("ipv6AccessConfigs") or []:
            v6 = ac.get("external_ipv6") or ac.get("externalIpv6")
            if v6:
                addrs.append(Address(v6, 6, AddressKind.PUBLIC, net))
    users = [line.split(":", 1)[0] for line in ssh_entries(instance)]
    status = str(instance.get("status") or "")
    return Node(
        id=node_id(zone, instance["name"]),
        name=instance["name"],
        state=node_state(GCE_STATES, status),
        raw_state=status,
        flavor=last(instance.get("machine_type") or instance.get("machineType") or ""),
        image=image,
        zone=zone,
        addresses=tuple(addrs),
        key_name=",".join(
            line.rsplit("hybridtui:", 1)[1]
            for line in ssh_entries(instance)
            if "hybridtui:" in line
        ),
        created_at=str(
            instance.get("creation_timestamp") or instance.get("creationTimestamp") or ""
        ),
        login_user=users[0] if users else ANY_LOGIN_GCE,
        raw=dict(instance),
    )


def flavor(record: Mapping[str, Any]) -> Flavor:
    return Flavor(
        id=str(record.get("id") or record["name"]),
        name=record["name"],
        vcpus=int(record.get("guest_cpus") or record.get("guestCpus") or 0),
        ram_mb=int(record.get("memory_mb") or record.get("memoryMb") or 0),
        arch=machine_arch(record),
        gpus=sum(
            int(a.get("guest_accelerator_count") or a.get("guestAcceleratorCount") or 0)
            for a in record.get("accelerators") or []
        ),
        raw=dict(record),
    )


#: Machine series built on Arm CPUs (Ampere Altra `t2a`, Axion `c4a`, `n4a`).
ARM_SERIES = ("t2a-", "c4a-", "n4a-")


def machine_arch(record: Mapping[str, Any]) -> str:
    """`architecture` when the API gives it (newer machine types do), else the series."""
    given = arch(record.get("architecture"))
    if given:
        return given
    return "arm64" if str(record.get("name", "")).startswith(ARM_SERIES) else "x86_64"


def image(record: Mapping[str, Any], project: str) -> Image:
    name = record["name"]
    distro, version = guess_distro(name)
    return Image(
        id=str(record.get("self_link") or record.get("selfLink") or f"{project}/{name}"),
        name=name,
        distro=distro,
        version=version,
        # GCE has no fixed account: the name is whatever goes into ssh-keys metadata
        login_user=ANY_LOGIN_GCE,
        created_at=str(record.get("creation_timestamp") or record.get("creationTimestamp") or ""),
        visibility=project,
        arch=arch(record.get("architecture")) or arch_in_name(name),
        # int64: a string in the REST API's JSON, an int from the client library
        disk_gb=int(record.get("disk_size_gb") or record.get("diskSizeGb") or 0),
        raw=dict(record),
    )


def network(record: Mapping[str, Any]) -> Network:
    return Network(
        id=str(record.get("id") or record["name"]),
        name=record["name"],
        public_access="per-node",
        raw=dict(record),
    )


def subnetwork(record: Mapping[str, Any]) -> Network:
    region = last(record.get("region", ""))
    return Network(
        id=str(record.get("id") or record["name"]),
        name=subnetwork_label(last(record.get("network", "")), region, record["name"]),
        cidrs=(record.get("ip_cidr_range") or record.get("ipCidrRange") or "",),
        zone=region,
        # an external IP is an access config on the node, not a subnet setting
        public_access="per-node",
        raw=dict(record),
    )


def static_address(record: Mapping[str, Any]) -> PublicAddress | None:
    """A reserved external address (`addresses.aggregatedList`, regional and
    global): GCE's Elastic IP, billed while RESERVED (attached to nothing).
    Its `users` say what holds it: an instance (shown as that node), or
    another resource (a load balancer's forwarding rule, a Cloud NAT router:
    shown as `forwardingRules/NAME`, never as free). An internal address is
    not public: None. (Ephemeral external IPs are no objects: they live on
    the nodes.)"""
    if (record.get("address_type") or record.get("addressType") or "EXTERNAL") != "EXTERNAL":
        return None
    region = last(record.get("region") or "") or "global"
    users = [str(u) for u in record.get("users") or []]
    holder = "/".join(users[0].rsplit("/", 2)[-2:]) if users else ""
    for user in users:
        zone, _, name = user.partition("/zones/")[2].partition("/instances/")
        if zone and name:
            holder = node_id(zone, name)
            break
    return PublicAddress(
        id=f"{region}/{record['name']}",
        name=record["name"],
        ip=str(record.get("address") or ""),
        pool=region,
        attached_to=holder,
        managed=MANAGED_LABEL in (record.get("labels") or {}),
        raw=dict(record),
    )


def router(record: Mapping[str, Any]) -> Router:
    """A Cloud Router (`routers.aggregatedList`). With Cloud NAT it gives the
    nodes of its network without an external IP a way out to the internet;
    never a way in, so it is no public address for step 5."""
    nats = [str(n.get("name") or "") for n in record.get("nats") or []]
    region = last(record.get("region") or "")
    return Router(
        id=f"{region}/{record['name']}",
        name=record["name"],
        status=f"Cloud NAT {', '.join(nats)} ({region})" if nats else f"no NAT ({region})",
        external_network="internet (outbound, NAT)" if nats else "",
        raw=dict(record),
    )


def firewall(record: Mapping[str, Any]) -> SecurityGroup:
    direction = (
        "ingress" if str(record.get("direction", "INGRESS")).upper() == "INGRESS" else "egress"
    )
    rules: list[tuple[str, str, int | None, int | None, str]] = []
    for allowed in record.get("allowed") or []:
        proto = str(allowed.get("I_p_protocol") or allowed.get("IPProtocol") or "")
        ports = allowed.get("ports") or [None]
        for cidr in record.get("source_ranges") or record.get("sourceRanges") or []:
            for p in ports:
                lo, _, hi = str(p).partition("-") if p else ("", "", "")
                rules.append(
                    (
                        direction,
                        "-1" if proto == "all" else proto,
                        int(lo) if lo else None,
                        int(hi or lo) if lo else None,
                        cidr,
                    )
                )
    return SecurityGroup(
        id=str(record.get("id") or record["name"]),
        name=record["name"],
        description=record.get("description") or "",
        rules=len(record.get("allowed") or []) + len(record.get("denied") or []),
        ssh_open=ssh_open(rules),
        network=last(record.get("network", "")),
        raw=dict(record),
    )


def fingerprint(public_key: str) -> str:
    """OpenSSH's SHA256 fingerprint of a public key line ('' if it is not one)."""
    import base64
    import binascii
    import hashlib

    parts = public_key.split()
    if len(parts) < 2:
        return ""
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def ssh_key(line: str, scope: str) -> KeyPair | None:
    """One `ssh-keys` metadata line (`user:type key [comment | google-ssh {json}]`)."""
    user, sep, key = line.strip().partition(":")
    if not sep or not key:
        return None
    parts = key.split(None, 2)
    if len(parts) < 2:
        return None
    key_type, _, rest = parts[0], parts[1], (parts[2] if len(parts) > 2 else "")
    expires = ""
    comment = rest
    if rest.startswith("google-ssh"):
        try:
            meta = json.loads(rest.removeprefix("google-ssh").split(" hybridtui:", 1)[0].strip())
            expires = str(meta.get("expireOn") or "")
            user = str(meta.get("userName") or user)
        except ValueError:
            pass
        comment = ""
    ours = "hybridtui:" in rest
    fp = fingerprint(f"{key_type} {parts[1]}")
    # gcloud's entries carry no comment: the account and a short fingerprint name them
    short = fp.removeprefix("SHA256:")[:8] or key_type
    name = rest.rsplit("hybridtui:", 1)[1].strip() if ours else (comment or f"{user} · {short}")
    return KeyPair(
        id=f"{scope}/{user}/{fp or name}",
        name=name,
        fingerprint=fp,
        key_type=key_type.removeprefix("ssh-"),
        managed=ours,
        scope=scope,
        user=user,
        expires=expires,
        raw={"ssh-keys": line, "scope": scope},
    )


def _items(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    items = (metadata or {}).get("items") or []
    return {str(i.get("key")): str(i.get("value") or "") for i in items if isinstance(i, dict)}


def key_pairs(
    instances: Sequence[Mapping[str, Any]], project: Mapping[str, Any] | None = None
) -> list[KeyPair]:
    """GCE has no key objects: every `ssh-keys` metadata entry, project-wide and
    per instance, with the account it creates and when it expires; OS Login,
    where it is on, as a row of its own (metadata keys are ignored there)."""
    out: list[KeyPair] = []
    project_items = _items(
        (project or {}).get("commonInstanceMetadata")
        or (project or {}).get("common_instance_metadata")
    )
    oslogin_project = project_items.get("enable-oslogin", "").upper() == "TRUE"
    for line in project_items.get("ssh-keys", "").splitlines():
        k = ssh_key(line, "project")
        if k is not None:
            out.append(k)
    if oslogin_project:
        out.append(_oslogin("project"))
    for inst in instances:
        scope = f"instance {inst.get('name', '?')}"
        items = _items(inst.get("metadata"))
        for line in items.get("ssh-keys", "").splitlines():
            k = ssh_key(line, scope)
            if k is not None:
                out.append(k)
        if items.get("enable-oslogin", "").upper() == "TRUE":
            out.append(_oslogin(scope))
        if items.get("block-project-ssh-keys", "").upper() == "TRUE":
            out.append(
                KeyPair(
                    id=f"{scope}/block-project-ssh-keys",
                    name="project keys blocked",
                    key_type="policy",
                    scope=scope,
                    raw={"block-project-ssh-keys": "TRUE"},
                )
            )
    return out


def _oslogin(scope: str) -> KeyPair:
    return KeyPair(
        id=f"{scope}/os-login",
        name="OS Login (keys from IAM; metadata keys ignored)",
        key_type="os-login",
        scope=scope,
        raw={"enable-oslogin": "TRUE"},
    )


def behaviour(firewalls: list[SecurityGroup], login_user: str) -> CloudBehaviour:
    notes = ["login name is chosen by us via metadata", "TERMINATED = stopped, restartable"]
    if any(f.ssh_open for f in firewalls):
        notes.append("a firewall rule admits SSH from anywhere")
    return CloudBehaviour(
        public_ip=PublicIpStrategy.ACCESS_CONFIG,
        key_mechanism="ssh-keys instance metadata (user:key google-ssh {expireOn})",
        live_key_update=True,
        login_users=(login_user,),
        root_login=False,
        notes=tuple(notes),
    )
