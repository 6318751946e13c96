"""The storage backend this store offers: the server's own filesystem object store (default) or an S3
bucket (`POLYPHONY_OBJECT_STORE=s3`). One backend per deployment, chosen at startup by `configure`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from polyphony.core.errors import InvalidArgument
from polyphony.flow.tags import TagFilter

# Stable across restarts and replicas: clients keep storage ids.
LOCAL_ID = "5c0a4a2e-2a57-4f8e-9d0c-6f1b7f3c2a10"
LOCAL_LABEL = "polyphony-local"


@dataclass(frozen=True)
class Backend:
    id: str
    label: str
    provider: str
    store_product: str
    region: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # storage-backend.json `tags` (none configured today)

    def tag_document(self) -> dict[str, Any]:
        return dict(self.tags)

    def metadata(self) -> dict[str, Any]:
        """The backend properties that `verbose_storage=true` adds to a controlled get_url."""
        doc: dict[str, Any] = {
            "store_type": "http_object_store",
            "provider": self.provider,
            "store_product": self.store_product,
        }
        if self.region:
            doc["region"] = self.region
        return doc

    def document(self) -> dict[str, Any]:
        """storage-backends-list.json item."""
        return {"id": self.id, "label": self.label, **self.metadata(), "default_storage": True}


FILESYSTEM = Backend(LOCAL_ID, LOCAL_LABEL, "polyphony", "filesystem")


def s3_backend(bucket: str, endpoint_url: str, region: str) -> Backend:
    """An S3 bucket; its id is derived from the endpoint and bucket, so it is the same on every replica."""
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{bucket}@{endpoint_url or 'aws'}"))
    return Backend(ident, bucket, "s3-compatible" if endpoint_url else "aws", "s3", region or None)


_current = FILESYSTEM


def configure(backend: Backend) -> None:
    global _current
    _current = backend


def current() -> Backend:
    return _current


def backends(tags: TagFilter | None = None, *, reverse: bool = False) -> list[dict[str, Any]]:
    """The storage backends passing `tags`, alphabetical by label (reverse-alphabetical with `reverse`)."""
    found = [b for b in (_current,) if tags is None or tags.matches(b.tag_document())]
    return [b.document() for b in sorted(found, key=lambda b: b.label, reverse=reverse)]


def accepts(backend: Backend, tags: TagFilter | None) -> bool:
    return tags is None or tags.matches(backend.tag_document())


def label() -> str:
    return _current.label


def check_storage_id(storage_id: str | None) -> None:
    if storage_id is not None and storage_id != _current.id:
        raise InvalidArgument(f"unknown storage backend {storage_id}", field="storage_id")
