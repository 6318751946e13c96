"""The configured object store: the one place every service and worker keeps its bytes."""

from __future__ import annotations

from polyphony.core.config import Settings
from polyphony.core.objects import FilesystemObjectStore, ObjectStore
from polyphony.core.s3objects import S3ObjectStore, make_client


def configured_store(settings: Settings) -> ObjectStore:
    """The object store every service and worker keeps its bytes in (`object_store`: filesystem under
    `<data_dir>/objects`, or an S3 bucket shared by every replica and worker)."""
    kind = settings.object_store.strip().lower()
    if kind in ("", "filesystem"):
        return FilesystemObjectStore(settings.data_dir / "objects")
    if kind != "s3":
        raise ValueError(f"POLYPHONY_OBJECT_STORE must be filesystem or s3, not {settings.object_store!r}")
    if not settings.s3_bucket:
        raise ValueError("POLYPHONY_OBJECT_STORE=s3 needs POLYPHONY_S3_BUCKET")
    return S3ObjectStore(make_client(settings), settings.s3_bucket)
