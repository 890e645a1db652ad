"""The world of one demo cloud: its nodes, keys, addresses and guests, how
they change (a node boots, a floating IP is attached), and the state file
that keeps what hybridtui made across runs. The provider in front of it adds
latency, faults and the contract; this module knows nothing of either."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hybridtui.domain import (
    GCE_KEY_TTL_HOURS,
    Address,
    AddressKind,
    Image,
    KeyPair,
    Network,
    Node,
    NodeSpec,
    NodeState,
    PublicAddress,
    PublicIpStrategy,
    Router,
    SecurityGroup,
    peek_raw,
)
from hybridtui.errors import (
    NotFoundError,
    ProviderError,
    QuotaError,
)
from hybridtui.providers.gce import records as gce_records
from hybridtui.providers.normalize import AWS_STATES, GCE_STATES, OPENSTACK_STATES
from hybridtui.providers.simulator import catalogues, profiles, shapes
from hybridtui.providers.simulator.epoch import DEMO_EPOCH, made_now
from hybridtui.providers.simulator.guest import Guest
from hybridtui.providers.simulator.profiles import DemoProfile, address
from hybridtui.providers.simulator.shapes import STATE_WORDS
from hybridtui.redact import raw_record

_NAME_PARTS = [
    "web",
    "api",
    "db",
    "cache",
    "k8s-worker",
    "k8s-master",
    "ci-runner",
    "etl",
    "kafka",
    "es-data",
    "grafana",
    "vault",
    "bastion",
    "nfs",
    "gitlab",
    "minio",
    "ldap",
    "mq",
    "batch",
    "ml-train",
]
_STATE_TABLES = {"aws": AWS_STATES, "gce": GCE_STATES, "openstack": OPENSTACK_STATES}
#: Instances a simulated project may hold; creating more raises a quota error.
QUOTA_INSTANCES = 500


def _public_key(rng: random.Random, comment: str) -> str:
    """A well-formed ed25519 public key line (there is no private half)."""
    body = rng.getrandbits(256).to_bytes(32, "big")
    blob = (
        len(b"ssh-ed25519").to_bytes(4, "big")
        + b"ssh-ed25519"
        + len(body).to_bytes(4, "big")
        + body
    )
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def _block(net: Network | None) -> tuple[int, int]:
    """The first address a node takes in `net`'s IPv4 block (past the four EC2
    keeps) and how many nodes fit (less the broadcast address); 10.0.0.0/16
    for a network without one."""
    cidr = next((c for c in (net.cidrs if net else ()) if ":" not in c), "10.0.0.0/16")
    block = ipaddress.IPv4Network(cidr)
    return int(block.network_address) + 4, block.num_addresses - 5


class World:
    """The state of one simulated cloud. Callers hold the provider's lock."""

    def __init__(self, profile: DemoProfile, seed: int, node_count: int | None) -> None:
        self.profile = profile
        rng = random.Random(f"{profile.key}:{seed}")
        self.flavors = profile.flavors(rng)
        self.images = profile.images(rng)
        #: The images each flavor architecture can boot (`_generate`); the catalogue never changes.
        self._fits: dict[str, list[Image]] = {}
        self.networks = profile.networks(rng)
        #: Each network by name and by id, and the first address nodes take in
        #: its IPv4 block with the room there is: placing 100,000 demo nodes
        #: looks these up for each.
        self._nets = {k: n for n in self.networks for k in (n.id, n.name)}
        self._blocks = {n.name: _block(n) for n in self.networks}
        #: Key pairs the operators already had (the generated nodes use them):
        #: well-formed ed25519 public keys, so fingerprints are real ones.
        self.keys: dict[str, str] = {
            f"ops-{env}": _public_key(rng, f"ops@{env}") for env in ("prod", "stage", "dev")
        }
        self.key_created: dict[str, str] = {
            name: (DEMO_EPOCH - timedelta(days=300 + 40 * i)).isoformat(timespec="seconds")
            for i, name in enumerate(self.keys)
        }
        self.fips: dict[str, str] = {}
        #: What runs inside the nodes hybridtui created: their accounts and keys.
        self.guests: dict[str, Guest] = {}
        #: Names of keys and addresses created through the API (hybridtui's own).
        self.managed: set[str] = set()
        #: The public addresses this cloud hands out, in turn (an index, not an
        #: iterator, so a world made in the helper process hands over its place).
        self._public_pool = profiles.public_pool(profile)
        self._public_used = 0
        self._rng = rng
        #: Ids of the nodes hybridtui created here (kept in the state file): they
        #: carry the cloud's own id shapes, so nothing else tells them apart.
        self.made: set[str] = set()
        self._polls = 0
        n = profile.node_count if node_count is None else node_count
        self.nodes: dict[str, Node] = {}
        for i in range(n):
            node = self._generate(i)
            self.nodes[node.id] = node

    # ---------------------------------------------------------- generation
    def _next_public(self) -> str:
        ip = self._public_pool[self._public_used % len(self._public_pool)]
        self._public_used += 1
        return ip

    def handover(self) -> tuple[list[Node], dict[str, str], object, int]:
        """What generating the nodes made and changed, for `adopt` in another
        process: the nodes, the floating IPs they hold, where the random stream
        and the public address pool stand."""
        return list(self.nodes.values()), dict(self.fips), self._rng.getstate(), self._public_used

    def adopt(self, nodes: list[Node], fips: dict[str, str], rng_state: object, used: int) -> None:
        """Take the generated nodes from a world made with the same profile and
        seed elsewhere (worldgen's helper process), as if made here: this world
        was made with no nodes, so only the node loop's effects are missing."""
        self.nodes.update((n.id, n) for n in nodes)
        self.fips.update(fips)
        self._rng.setstate(rng_state)  # type: ignore[arg-type]
        self._public_used = used

    def _stable_id(self, what: str, aws_prefix: str) -> str:
        """An id shaped as this cloud's own (`sg-0…` on AWS, a number on GCE, a
        UUID on OpenStack), the same on every run: derived from the record."""
        h = hashlib.md5(f"{self.profile.key}/{what}".encode(), usedforsecurity=False).hexdigest()
        if self.profile.style == "aws":
            return f"{aws_prefix}-0{h[:16]}"
        if self.profile.style == "gce":
            return str(10**18 + int(h, 16) % (9 * 10**18))
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def _node_id(self) -> str:
        rng = self._rng
        if self.profile.style == "aws":
            return f"i-0{catalogues._hexid(rng, 16)}"
        if self.profile.style == "gce":
            return str(rng.randint(10**18, 10**19 - 1))
        return catalogues._uuid(rng)

    def _generate(self, i: int) -> Node:
        rng = self._rng
        part = _NAME_PARTS[i % len(_NAME_PARTS)]
        env = ("prod", "stage", "dev")[(i // len(_NAME_PARTS)) % 3]
        name = (
            f"{part}-{env}-{i // (3 * len(_NAME_PARTS)) + 1:02d}"
            if i >= len(_NAME_PARTS)
            else f"{part}-prod-01"
        )
        roll = rng.random()
        state = (
            NodeState.RUNNING
            if roll < 0.78
            else NodeState.STOPPED
            if roll < 0.9
            else NodeState.BUILDING
            if roll < 0.94
            else NodeState.SHELVED
            if roll < 0.96 and self.profile.style == "openstack"
            else NodeState.ERROR
        )
        flavor = rng.choice(self.flavors[: max(4, len(self.flavors) // 2)])
        # an arm64 type boots arm64 images only (and an x86_64 one x86_64 images);
        # the list per architecture is made once (it was a tenth of a world's making)
        fits = self._fits.get(flavor.arch)
        if fits is None:
            fits = self._fits[flavor.arch] = [
                i for i in self.images if not flavor.arch or not i.arch or i.arch == flavor.arch
            ] or list(self.images)
        image = rng.choice(fits)
        created = DEMO_EPOCH - timedelta(days=rng.randint(0, 400), seconds=rng.randint(0, 86399))
        spec = NodeSpec(
            name=name,
            flavor=flavor.name,
            image=image.name,
            key_name=f"ops-{env}",  # no network: its zone's (`_placement`)
            public_ip=rng.random() < 0.7,
        )
        return self._make(
            self._node_id(), spec, state, created.isoformat(timespec="seconds"), image, i
        )

    def _make(
        self,
        node_id: str,
        spec: NodeSpec,
        state: NodeState,
        created: str,
        image: Image,
        i: int,
        extra_raw: dict[str, Any] | None = None,
        *,
        first_zone: bool = False,
    ) -> Node:
        p = self.profile
        # What the cloud can say decides the state: EC2 has no "error" state.
        word = STATE_WORDS[p.style].get(state, "UNKNOWN")
        state = _STATE_TABLES[p.style].get(word, state)
        zone, network = self._placement(i, spec.network, first_zone)
        fixed = self._fixed_ip(i, network)
        addrs: list[Address] = []
        strategy = p.behaviour.public_ip
        if strategy is PublicIpStrategy.IPV6_ONLY:
            addrs.append(address(f"2001:db8:42::{i + 16:x}", AddressKind.PUBLIC, p.node_network))
            addrs.append(address(self._fixed_ip(i, "private-v4"), AddressKind.FIXED, "private-v4"))
        elif strategy is PublicIpStrategy.DIRECT:
            addrs.append(address(self._next_public(), AddressKind.PUBLIC, p.node_network))
            addrs.append(address(f"2001:db8:41::{i + 16:x}", AddressKind.PUBLIC, p.node_network))
        else:
            addrs.append(address(fixed, AddressKind.FIXED, network))
            wants_public = spec.public_ip and state is not NodeState.STOPPED
            # EC2 maps a public IPv4 on launch only on subnets set to: not
            # on a private subnet the operator picked (overrides.network)
            on_auto = (subnet := self._network(network)) is None or subnet.auto_public_ip
            if strategy is PublicIpStrategy.AUTO_ASSIGN and state is NodeState.RUNNING and on_auto:
                addrs.append(address(self._next_public(), AddressKind.PUBLIC, network))
            elif strategy is PublicIpStrategy.ACCESS_CONFIG and wants_public:
                # an access config is on the interface: its address is on its network
                addrs.append(address(self._next_public(), AddressKind.PUBLIC, network))
            elif strategy is PublicIpStrategy.FLOATING_IP and wants_public and extra_raw is None:
                fip = self._next_public()
                self.fips[fip] = node_id
                addrs.append(address(fip, AddressKind.FLOATING, p.node_network))
        if state is NodeState.BUILDING:
            addrs = [a for a in addrs if a.kind is AddressKind.FIXED]
        raw = shapes.node_record(
            p, node_id, spec, state, zone, image, addrs, created, self._gce_key_line
        )
        if p.style == "gce":  # the raw `id` is a number; instances are called by zone and name
            node_id = gce_records.node_id(zone, spec.name)
        if extra_raw:
            raw.update(extra_raw)
        if (subnet := self._network(network)) and subnet.zone:
            if p.style == "aws":
                raw["SubnetId"], raw["VpcId"] = subnet.id, subnet.raw.get("VpcId")
            elif p.style == "gce":  # the interface's network and regional subnetwork
                (nic,) = raw["networkInterfaces"]
                nic["network"] = subnet.raw.get("network", nic["network"])
                nic["subnetwork"] = f"regions/{subnet.zone}/subnetworks/{subnet.raw.get('name')}"
        key_name, login_user = (
            shapes.gce_keys(raw) if p.style == "gce" else (spec.key_name, image.login_user)
        )
        return Node(
            id=node_id,
            name=spec.name,
            state=state,
            raw_state=word,
            flavor=spec.flavor,
            image=image.name,
            zone=zone,
            addresses=tuple(addrs),
            key_name=key_name,
            created_at=created,
            login_user=login_user,
            # kept as the app keeps it (scrubbed JSON text): 100,000 demo nodes
            # held as nested dicts were 234 MB of the dashboard's process, 128 so;
            # a node made here keeps Nova's create answer (adminPass) in its
            # listing as a dict, a secret the app itself must scrub
            raw=raw if extra_raw else raw_record(raw),
        )

    def _placement(self, i: int, wanted: str, first_zone: bool = False) -> tuple[str, str]:
        """Node i's zone and network. A node asked for on a network (step 3's
        pick) sits on it, and in its zone where networks are zonal: an EC2
        instance launched into eu-west-1a's subnet is in eu-west-1a. Otherwise
        the zones take turns and each sits on its zone's subnet (AWS) or on the
        profile's node network; `first_zone`: in the first zone (a GCE insert
        names its zone, and the adapter's default is the first configured)."""
        zones = self.profile.zones
        net = self._network(wanted) if wanted else None
        if net is None:
            zone = zones[0] if first_zone else zones[i % len(zones)]
            return zone, self._network_for(zone)
        turn = zones[0] if first_zone else zones[i % len(zones)]
        return (net.zone if net.zone in zones else turn), net.name

    def _network(self, wanted: str) -> Network | None:
        return self._nets.get(wanted)

    def _network_for(self, zone: str) -> str:
        """The subnet of the node's zone where subnets are zonal (AWS), else the
        profile's node network: a node in eu-west-1c sits on eu-west-1c's subnet."""
        zonal = next((n.name for n in self.networks if n.zone == zone and n.auto_public_ip), None)
        return zonal or self.profile.node_network

    def _fixed_ip(self, i: int, network: str) -> str:
        """Node i's private address, inside its network's IPv4 block (an expert
        reading the subnets list checks), past the four first addresses EC2
        keeps for itself. A zonal subnet counts only its own zone's nodes, so
        eu-west-1b's 172.31.16.0/20 starts at 172.31.16.4. A demo grown past
        its block's room (a `nodes:` override) repeats addresses."""
        first, room = self._blocks.get(network) or _block(None)
        net, zones = self._network(network), self.profile.zones
        nth = i // len(zones) if net is not None and net.zone in zones else i
        return str(ipaddress.IPv4Address(first + nth % room))

    def state(self) -> dict[str, Any]:
        """What hybridtui made here (the nodes in `made`, imported keys, floating IPs it
        allocated, the nodes' guests): the rest is regenerated from the seed."""
        ours = {i: n for i, n in self.nodes.items() if i in self.made}
        return {
            "version": 1,
            "nodes": [n.to_dict() for n in ours.values()],
            "keys": {k: self.keys[k] for k in self.managed if k in self.keys},
            "key_created": {k: self.key_created[k] for k in self.managed if k in self.key_created},
            "fips": {ip: owner for ip, owner in self.fips.items() if ip in self.managed},
            "guests": {
                i: {
                    "account": g.account,
                    "authorized": {u: sorted(k) for u, k in g.authorized.items()},
                    "cloud_init": g.cloud_init,
                    "password_login": g.password_login,
                    "root_keys": sorted(g.root_keys),
                }
                for i, g in self.guests.items()
            },
        }

    def restore(self, state: dict[str, Any]) -> None:
        if state.get("version") != 1:
            return
        for data in state.get("nodes") or []:
            node = Node.from_dict(data)
            self.nodes[node.id] = node  # type: ignore[assignment]
            self.made.add(node.id)
        for name, material in (state.get("keys") or {}).items():
            self.keys[name] = material
            self.managed.add(name)
        self.key_created.update(state.get("key_created") or {})
        for ip, owner in (state.get("fips") or {}).items():
            self.fips[ip] = owner
            self.managed.add(ip)
        for node_id, g in (state.get("guests") or {}).items():
            self.guests[node_id] = Guest(
                g["account"],
                {u: set(k) for u, k in g["authorized"].items()},
                g["cloud_init"],
                g["password_login"],
                set(g["root_keys"]),
            )

    def drop_metadata_key(self, key_name: str) -> None:
        """GCE: removing a key is removing its ssh-keys line from every instance;
        the guest agent then takes it off the node (step 8 is live there)."""
        marker = f"hybridtui:{key_name}"
        for node_id, node in list(self.nodes.items()):
            raw = peek_raw(node)
            items = (raw.get("metadata") or {}).get("items") or []
            if not any(marker in str(i.get("value", "")) for i in items):
                continue
            kept = []
            for item in items:
                if item.get("key") == "ssh-keys":
                    lines = [
                        ln for ln in str(item.get("value", "")).splitlines() if marker not in ln
                    ]
                    if lines:
                        kept.append({**item, "value": "\n".join(lines)})
                else:
                    kept.append(item)
            raw = {**raw, "metadata": {**raw["metadata"], "items": kept}}
            keys_left, login_user = shapes.gce_keys(raw)
            self.nodes[node_id] = replace(
                node,
                raw=raw_record(raw),
                key_name=keys_left,
                login_user=login_user,
            )

    def _gce_key_line(self, key_name: str) -> str:
        """A GCE ssh-keys entry for a node. hybridtui's node key is written as
        its GCE adapter writes it (the `hybrid` account, google-ssh with an
        expireOn a day from now, the `hybridtui:` marker); an operator key of
        the node's environment as a plain `ops:<key> ops@prod` line, the way
        the console or Terraform write one."""
        material = self.keys.get(key_name) or next(iter(self.keys.values()))
        if key_name in self.managed:
            expire = gce_records.expiry(GCE_KEY_TTL_HOURS, datetime.now(UTC))
            return gce_records.ssh_key_entry("hybrid", material, key_name, expire)
        return f"ops:{material}"

    # ------------------------------------------------------------ life
    def tick(self) -> None:
        """A little churn between polls, so a live demo shows changes."""
        self._polls += 1
        if self._polls < 2 or not self.nodes:
            return
        ids = list(self.nodes)
        node = self.nodes[ids[(self._polls * 7) % len(ids)]]
        if node.state in (NodeState.RUNNING, NodeState.STOPPED) and node.id not in self.made:
            flip = NodeState.STOPPED if node.state is NodeState.RUNNING else NodeState.RUNNING
            self.nodes[node.id] = self._restate(node, flip)

    def _restate(self, node: Node, state: NodeState) -> Node:
        """A node stopped or started the way the real cloud does it: EC2's
        auto-assigned public IPv4 and GCE's ephemeral external IP are released on
        stop and a new one is given on start; floating IPs and Elastic IPs stay."""
        style = self.profile.style
        word = STATE_WORDS[style][state]
        addrs = list(node.addresses)
        raw = {**peek_raw(node)}
        if style in ("aws", "gce") and state is NodeState.STOPPED:
            addrs = [a for a in addrs if a.kind is not AddressKind.PUBLIC]
        elif state is NodeState.RUNNING and not any(a.kind is AddressKind.PUBLIC for a in addrs):
            fixed = next((a for a in addrs if a.kind is AddressKind.FIXED), None)
            had_nat = style == "gce" and any(
                nic.get("accessConfigs") for nic in raw.get("networkInterfaces") or []
            )
            if fixed and (style == "aws" or had_nat):
                addrs.append(address(self._next_public(), AddressKind.PUBLIC, fixed.network))
        public = next(
            (a.ip for a in addrs if a.kind is AddressKind.PUBLIC and a.version == 4), None
        )
        if style == "aws":
            raw["State"] = shapes.aws_state(word)
            raw.pop("PublicIpAddress", None)
            if public:
                raw["PublicIpAddress"] = public
        elif style == "gce":
            raw["status"] = word
            nics = []
            for nic in raw.get("networkInterfaces") or []:
                configs = [
                    {k: v for k, v in ac.items() if k != "natIP"}
                    for ac in nic.get("accessConfigs") or []
                ]
                for ac in configs:
                    if public:
                        ac["natIP"] = public
                nics.append({**nic, **({"accessConfigs": configs} if configs else {})})
            raw["networkInterfaces"] = nics
        else:
            raw["status"] = word
        return replace(
            node, state=state, raw_state=word, addresses=tuple(addrs), raw=raw_record(raw)
        )

    def create(self, cloud: str, spec: NodeSpec) -> Node:
        if len(self.nodes) >= QUOTA_INSTANCES:
            raise QuotaError(
                f"{cloud}: quota exceeded for instances: {QUOTA_INSTANCES} of {QUOTA_INSTANCES} used"
            )
        flavor = next((f for f in self.flavors if spec.flavor in (f.name, f.id)), None)
        image = next((i for i in self.images if spec.image in (i.name, i.id)), None)
        if flavor is None:
            raise NotFoundError(f"{cloud}: flavor {spec.flavor!r} not found")
        if image is None:
            raise NotFoundError(f"{cloud}: image {spec.image!r} not found")
        if spec.network and self._network(spec.network) is None:
            raise NotFoundError(f"{cloud}: network {spec.network!r} not found")
        if spec.key_name and spec.key_name not in self.keys:
            raise NotFoundError(f"{cloud}: key pair {spec.key_name!r} not found")
        i = len(self.nodes) + 1000
        gce = self.profile.style == "gce"
        if gce:  # an instance's name is its handle in its zone
            zone, _ = self._placement(i, spec.network, first_zone=True)
            if gce_records.node_id(zone, spec.name) in self.nodes:
                raise ProviderError(
                    f"{cloud}: the instance {spec.name!r} already exists in {zone}",
                    title="Already exists",
                )
        extra: dict[str, Any] = {}
        if self.profile.style == "openstack":
            # Nova returns the generated root password once, on create: a secret
            # that must never reach the cache, logs or screen.
            extra["adminPass"] = catalogues._hexid(self._rng, 12)
        # an id of the cloud's own shape (i-0…, a UUID, zone/name), as the
        # nodes it already has
        node = self._make(
            self._node_id(), spec, NodeState.RUNNING, made_now(), image, i, extra, first_zone=gce
        )
        node_id = node.id
        self.nodes[node_id] = node
        self.made.add(node_id)
        account = "hybrid" if self.profile.style == "gce" else image.login_user or "cloud-user"
        node_key = self.keys.get(spec.key_name, "")
        self.guests[node_id] = Guest(
            account=account,
            authorized={account: {node_key}} if node_key else {},
            cloud_init=self.profile.style != "gce",
        )
        return node

    def get(self, cloud: str, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise NotFoundError(f"{cloud}: node {node_id!r} not found") from None

    def public_address(self, cloud: str, node_id: str, pool: str | None) -> Address:
        node = self.get(cloud, node_id)
        strategy = self.profile.behaviour.public_ip
        existing = [a for a in node.addresses if a.kind is not AddressKind.FIXED]
        if existing:
            existing.sort(key=lambda a: a.version)
            return existing[0]
        if strategy is PublicIpStrategy.FLOATING_IP:
            want = pool or self.profile.public_network
            if want != self.profile.public_network:
                raise NotFoundError(
                    f"{cloud}: floating IP pool {want!r} not found (have {self.profile.public_network!r})"
                )
            free = next((ip for ip, owner in self.fips.items() if not owner), None)
            fip = free or self._next_public()
            if free is None:
                self.managed.add(fip)  # allocated by us: ours to release
            self.fips[fip] = node_id
            addr = address(fip, AddressKind.FLOATING, self.profile.node_network)
        elif strategy in (PublicIpStrategy.ACCESS_CONFIG, PublicIpStrategy.AUTO_ASSIGN):
            on = next((a.network for a in node.addresses if a.kind is AddressKind.FIXED), "")
            addr = address(self._next_public(), AddressKind.PUBLIC, on)
        else:
            raise ProviderError(
                f"{cloud}: this cloud gives nodes no public address ({strategy})",
                title="No public address",
                hint="Reach the node through the configured jump host.",
            )
        self.nodes[node_id] = replace(node, addresses=(*node.addresses, addr))
        return addr

    def security_groups(self) -> list[SecurityGroup]:
        return shapes.security_groups(self.profile, self.networks, self._stable_id)

    def routers(self) -> list[Router]:
        return shapes.routers(self.profile, self.networks, self._stable_id)

    def key_records(self) -> list[KeyPair]:
        """Key pairs as each API shows them: EC2 and Nova list key objects (EC2 per
        region, Nova per user); GCE has none, only ssh-keys metadata entries on the
        project and on each instance."""
        if self.profile.style == "gce":
            project = {
                "commonInstanceMetadata": {
                    "items": [{"key": "ssh-keys", "value": f"ops:{self.keys['ops-prod']}"}]
                }
            }
            # no pending rows: GCE has no key objects, a key exists on the nodes that carry it
            return gce_records.key_pairs([peek_raw(n) for n in self.nodes.values()], project)
        out = []
        scope = "region" if self.profile.style == "aws" else "user"
        for name, material in self.keys.items():
            key_type = material.split()[0].removeprefix("ssh-")
            fingerprint = shapes.key_fingerprint(material, self.profile.style)
            created = self.key_created.get(name, DEMO_EPOCH.isoformat(timespec="seconds"))
            raw = (
                {"KeyName": name, "KeyFingerprint": fingerprint, "KeyType": key_type}
                if self.profile.style == "aws"
                else {"name": name, "public_key": material, "fingerprint": fingerprint}
            )
            out.append(
                KeyPair(
                    id=name,
                    name=name,
                    key_type=key_type,
                    fingerprint=fingerprint,
                    created_at=created,
                    managed=name in self.managed,
                    scope=scope,
                    raw=raw,
                )
            )
        return out

    def address_records(self) -> list[PublicAddress]:
        pool = self.profile.public_network or "vpc"
        return [
            PublicAddress(
                id=ip,
                name=ip,
                ip=ip,
                pool=pool,
                attached_to=owner,
                managed=ip in self.managed,
                raw={"floating_ip_address": ip, "port_id": owner or None},
            )
            for ip, owner in self.fips.items()
        ]

    def release_address(self, ip: str) -> None:
        self.fips.pop(ip, None)
        self.managed.discard(ip)

    def release_addresses(self, node: Node) -> None:
        """Deleting a server frees its floating IP but keeps it allocated, as Neutron does."""
        for ip, owner in list(self.fips.items()):
            if owner == node.id:
                if ip in self.managed:
                    self.release_address(ip)  # we allocated it: give it back
                else:
                    self.fips[ip] = ""
