"""The storage backends this store offers: one, the server's own object store (filesystem)."""

from __future__ import annotations

from typing import Any

from polyphony.core.errors import InvalidArgument

# Stable across restarts and replicas: clients keep storage ids.
LOCAL_ID = "5c0a4a2e-2a57-4f8e-9d0c-6f1b7f3c2a10"
LOCAL_LABEL = "polyphony-local"


def backends() -> list[dict[str, Any]]:
    return [{
        "id": LOCAL_ID,
        "label": LOCAL_LABEL,
        "store_type": "http_object_store",
        "provider": "polyphony",
        "store_product": "filesystem",
        "default_storage": True,
    }]


def storage_metadata() -> dict[str, Any]:
    """The backend properties that `verbose_storage=true` adds to a controlled get_url."""
    return {"store_type": "http_object_store", "provider": "polyphony", "store_product": "filesystem"}


def check_storage_id(storage_id: str | None) -> None:
    if storage_id is not None and storage_id != LOCAL_ID:
        raise InvalidArgument(f"unknown storage backend {storage_id}", field="storage_id")
