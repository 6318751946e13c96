"""Object-store keys of the analysis service's files."""

from __future__ import annotations

import uuid


def result_key(item_uuid: str, result_uuid: str, ext: str = "hdf5") -> str:
    """A new key for the bytes of a result: every write gets its own (stored objects are never rewritten, so a
    local copy of one never goes stale); the writer deletes the result's previous key."""
    return f"timeside/results/{item_uuid}/{result_uuid}-{uuid.uuid4().hex[:12]}.{ext}"
