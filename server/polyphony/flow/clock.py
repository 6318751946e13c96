"""Server-managed timestamps: stored as integer microseconds, rendered as RFC 3339 UTC strings."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_us() -> int:
    return time.time_ns() // 1000


def rfc3339(us: int) -> str:
    """`2024-05-01T12:00:00.123456Z` for microseconds since the Unix epoch."""
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
