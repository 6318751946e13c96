"""The `/service` document: what this TAMS instance is and what it promises."""

from __future__ import annotations

from typing import Any

from polyphony import __about__
from polyphony.flow.urls import PROMISED_SECONDS

API_VERSION = "8.2"
SERVICE_TYPE = "urn:x-tams:service.polyphony"
# Allocated Objects are collected when unregistered for longer than this (plus a grace period, see
# objects.UNREGISTERED_TTL_US); presigned URLs stay valid at least PROMISED_SECONDS (<= the above).
MIN_OBJECT_TIMEOUT = "600:0"


def service_document() -> dict[str, Any]:
    return {
        "name": "Polyphony",
        "description": "Polyphony media server: Time-addressable Media Store",
        "type": SERVICE_TYPE,
        "api_version": API_VERSION,
        "service_version": __about__.__version__,
        "min_object_timeout": MIN_OBJECT_TIMEOUT,
        "min_presigned_url_timeout": f"{PROMISED_SECONDS}:0",
        # Events are POSTed to webhooks registered at /service/webhooks (delivered from an outbox).
        "event_stream_mechanisms": [{"name": "webhooks"}],
    }
