"""What hybridtui made and may remove: ledger entries, and nodes tagged as ours
on the clouds (found even when the ledger lost them). Nothing else is touched."""

from __future__ import annotations

import time
from collections.abc import Sequence

from hybridtui.domain import MANAGED_TAG, KeyPair, Node, NodeState, PublicAddress, peek_raw
from hybridtui.providers.base import Provider
from hybridtui.provisioning.ledger import Entry, Kind, Ledger, State
from hybridtui.provisioning.runner import undo

#: GCE label keys allow no `:`; the GCE adapter and the demo use this one.
GCE_LABEL = "hybridtui-managed"


def is_ours(node: Node) -> bool:
    """Tagged by hybridtui: EC2 tags, GCE labels, Nova server metadata (read
    without keeping every node's record decoded: this runs over all nodes)."""
    raw = peek_raw(node)
    tags = {t.get("Key"): t.get("Value") for t in raw.get("Tags") or [] if isinstance(t, dict)}
    labels = raw.get("labels") or {}
    metadata = raw.get("metadata") or {}
    return (
        tags.get(MANAGED_TAG) == "true"
        or labels.get(GCE_LABEL) == "true"
        or labels.get(MANAGED_TAG) == "true"
        or (isinstance(metadata, dict) and metadata.get(MANAGED_TAG) == "true")
    )


def find_node(nodes: Sequence[Node], wanted: str) -> Node | None:
    """A node by id, or by name when exactly one has it."""
    by_id = [n for n in nodes if n.id == wanted]
    if by_id:
        return by_id[0]
    by_name = [n for n in nodes if n.name == wanted]
    return by_name[0] if len(by_name) == 1 else None


def destroy(ledger: Ledger, provider: Provider, cloud: str, node: Node) -> list[str]:
    """Delete a node hybridtui made, and what it made for it (its floating or
    Elastic IP goes with it; the ledger's entries for it are released)."""
    entries = [
        e
        for e in ledger.open_entries(cloud=cloud, kept=True)
        if e.ref == node.id and e.kind is Kind.NODE
    ]
    runs = {e.run for e in entries}
    related = (
        [e for e in ledger.open_entries(cloud=cloud, kept=True) if e.run in runs] if runs else []
    )
    if related:
        return undo(ledger, provider, related)
    delete_and_wait(provider, node.id)  # tagged as ours, but the ledger lost it
    return [f"node {node.id} deleted (tagged as hybridtui's; not in the ledger)"]


def leftovers(ledger: Ledger, cloud: str) -> list[Entry]:
    """Entries of runs that stopped halfway (a crash, SIGKILL): intents and created."""
    return [e for e in ledger.open_entries(cloud=cloud) if e.state in (State.INTENT, State.CREATED)]


def untracked(ledger: Ledger, cloud: str, nodes: Sequence[Node]) -> list[Node]:
    """Nodes tagged as ours that no ledger entry knows (another machine's ledger,
    or a lost one)."""
    known = _known(ledger, cloud, Kind.NODE)
    gone = (NodeState.DELETED, NodeState.DELETING)  # EC2 lists terminated ones for an hour
    return [n for n in nodes if is_ours(n) and n.id not in known and n.state not in gone]


def untracked_keys(ledger: Ledger, provider: Provider, cloud: str) -> list[KeyPair]:
    """Key pairs hybridtui made (tagged, or named `hybridtui-…` on Nova) that no
    ledger entry knows. GCE has no key objects: its keys go with their nodes."""
    if not provider.key_objects:
        return []
    known = _known(ledger, cloud, Kind.KEY)
    return [k for k in provider.list_keys() if k.managed and k.name not in known]


def untracked_addresses(ledger: Ledger, provider: Provider, cloud: str) -> list[PublicAddress]:
    """Elastic / floating IPs hybridtui allocated that no node holds and no
    ledger entry knows: billed for nothing (a run killed between allocating and
    attaching, or its node deleted elsewhere)."""
    known = _known(ledger, cloud, Kind.ADDRESS)
    return [
        a
        for a in provider.list_addresses()
        if a.managed and not a.attached_to and a.ip not in known
    ]


def _known(ledger: Ledger, cloud: str, kind: Kind) -> set[str]:
    return {
        ref
        for e in ledger.open_entries(cloud=cloud, kept=True)
        if e.kind is kind
        for ref in (e.ref, e.name)
        if ref
    }


def delete_and_wait(provider: Provider, node_id: str, timeout: float = 300.0) -> None:
    """Delete a node and wait until the cloud says it is gone."""
    provider.delete_node(node_id)
    provider.wait_for(node_id, NodeState.DELETED, time.monotonic() + timeout)
