"""The `get_urls` of an Object: the controlled (presigned) URL of the local store plus uncontrolled
instances registered by clients, filtered by `accept_get_urls`, `accept_storage_ids`, `presigned` and
trimmed by `verbose_storage` as the spec describes for segment and object listings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from polyphony.core.errors import InvalidArgument
from polyphony.flow import schemas, storage_backends
from polyphony.flow.tags import TagFilter
from polyphony.flow.urls import ObjectLinks


@dataclass(frozen=True)
class UrlFilter:
    labels: tuple[str, ...] | None = None  # None: no filtering; (): no URLs at all
    storage_ids: tuple[str, ...] | None = None
    presigned: bool | None = None
    verbose: bool = False
    # storage_backend_tag.{name} / storage_backend_tag_exists.{name}: only URLs of storage backends whose
    # tags pass (uncontrolled URLs belong to no backend: they count as having no tags). None: no filtering.
    backend_tags: TagFilter | None = None

    def key(self) -> str:
        tags = "" if self.backend_tags is None else self.backend_tags.key()
        return f"{self.labels}|{self.storage_ids}|{self.presigned}|{self.verbose}|{tags}"

    def accepts(self, label: str | None, storage_id: str | None, presigned: bool) -> bool:
        if self.labels is not None and (label is None or label not in self.labels):
            return False
        if self.storage_ids and (storage_id is None or storage_id not in self.storage_ids):
            return False
        return self.presigned is None or self.presigned == presigned


def backend_tag_filter(values: Mapping[str, str], exists: Mapping[str, str]) -> TagFilter | None:
    tags = TagFilter.parse(values, exists)
    return tags if tags else None


def url_filter(
    labels: str | None,
    storage_ids: str | None,
    presigned: bool | None,
    verbose: bool,
    backend_tags: TagFilter | None = None,
) -> UrlFilter:
    label_list: tuple[str, ...] | None = None
    if labels is not None:
        if labels and any(not part for part in labels.split(",")):
            raise InvalidArgument("`accept_get_urls` must be a comma-separated list of labels", field="accept_get_urls")
        label_list = tuple(labels.split(",")) if labels else ()
    id_list: tuple[str, ...] | None = None
    if storage_ids:
        id_list = tuple(storage_ids.split(","))
        if not all(schemas.is_uuid(i) for i in id_list):
            raise InvalidArgument(
                "`accept_storage_ids` must be a comma-separated list of UUIDs", field="accept_storage_ids"
            )
    return UrlFilter(label_list, id_list, presigned, verbose, backend_tags)


def render(
    object_id: str, *, local: bool, uncontrolled: list[tuple[str, str]], flt: UrlFilter, signer: ObjectLinks, base: str
) -> list[dict[str, Any]]:
    """The get_urls of one object: its local copy first (when it has one), then uncontrolled URLs."""
    urls: list[dict[str, Any]] = []
    backend = storage_backends.current()
    if local and flt.accepts(backend.label, backend.id, True) and storage_backends.accepts(backend, flt.backend_tags):
        entry: dict[str, Any] = {"url": signer.url(base, "GET", object_id), "presigned": True, "label": backend.label}
        if flt.verbose:
            entry.update(storage_id=backend.id, controlled=True, **backend.metadata())
        urls.append(entry)
    uncontrolled_pass = flt.backend_tags is None or flt.backend_tags.matches({})
    for label, url in uncontrolled if uncontrolled_pass else ():
        if flt.accepts(label, None, False):
            entry = {"url": url, "label": label}
            if flt.verbose:
                entry["controlled"] = False
            urls.append(entry)
    return urls
