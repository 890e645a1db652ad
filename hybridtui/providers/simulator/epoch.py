"""The fixed "now" of the demo world, so generated dates never depend on the clock."""

from datetime import UTC, datetime

DEMO_EPOCH = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
