"""The `/service` document: what this TAMS instance is and what it promises."""

from __future__ import annotations

from typing import Any

from polyphony import __about__

API_VERSION = "8.2"
SERVICE_TYPE = "urn:x-tams:service.polyphony"
# This instance allocates no storage Objects yet, so nothing is ever garbage-collected early; the value
# is the spec's floor times two, the promise a future `/flows/{id}/storage` implementation must keep.
MIN_OBJECT_TIMEOUT = "600:0"


def service_document() -> dict[str, Any]:
    return {
        "name": "Polyphony",
        "description": "Polyphony media server: Time-addressable Media Store (Flows, Sources, Profiles)",
        "type": SERVICE_TYPE,
        "api_version": API_VERSION,
        "service_version": __about__.__version__,
        "min_object_timeout": MIN_OBJECT_TIMEOUT,
    }
