"""The fixed "now" of the demo world, so generated dates never depend on the
clock; and the real now, for what hybridtui itself makes there."""

from datetime import UTC, datetime

DEMO_EPOCH = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def made_now() -> str:
    """When a node or key hybridtui makes in a demo cloud was made: the real
    time, as the cloud would say it. The demo epoch is the world's past; a node
    provisioned on stage today must not say it was made before it."""
    return datetime.now(UTC).isoformat(timespec="seconds")
