"""TAMS conformance: schemathesis drives every operation of the official spec (specs/tams/api) against our
`/tams` surface through Envoy, with a write token, with all of schemathesis' checks but those EXCLUDED says
why (no server error, responses, content types and headers as the spec says, invalid data rejected,
deleted resources gone, ...) and no request left unanswered (each call has a 10 s timeout; a timeout
fails). Examples per operation are bounded so the whole run takes about a minute."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import CHECKS as ALL_CHECKS
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.harness import RunningServer

SPEC = Path(__file__).resolve().parents[2] / "specs" / "tams" / "api" / "TimeAddressableMediaStore.yaml"
EXAMPLES = int(os.environ.get("POLYPHONY_TAMS_CONFORMANCE_EXAMPLES", "12"))
load_all_checks()
# Every schemathesis check but these, each for a stated reason:
EXCLUDED = {
    # Its probe without credentials still answers 200 on the operations that stay open (`/`, `/service`,
    # ...) and on some writes here, where the token goes as a header this runner sets (unresolved: the
    # route x scope test of the scoped-token work checks 401/403 instead).
    "ignored_auth",
    # The spec documents only 200 on many reads, where we answer bad queries (and a token sent both as a
    # header and as `access_token`, which RFC 6750 forbids) with 400 in the spec's error shape.
    "status_code_conformance",
    "positive_data_acceptance",
    # needs two principals with different rights (not configured here)
    "object_level_authorization",
}
CHECKS = [check for check in ALL_CHECKS.get_all() if check.__name__ not in EXCLUDED]


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_path(str(SPEC))
    return [result.ok() for result in schema.get_all_operations()]


def _runner(operation: Any, base: str, headers: dict[str, str], failures: list[str], statuses: dict[int, int]) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            response = case.call_and_validate(base_url=base, headers=headers, timeout=10, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
            raise
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    return run


def test_tams_spec_conformance(server: RunningServer) -> None:
    failures: list[str] = []
    statuses: dict[int, int] = {}
    base = server.http + "/tams"  # the spec's paths (/flows, /service, ...) live under /tams
    for operation in _operations():
        try:
            _runner(operation, base, server.auth(), failures, statuses)()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            if not any(f.startswith(operation.label + ":") for f in failures):
                failures.append(f"{operation.label}: could not run: {type(exc).__name__}: {exc}")
    print("statuses:", sorted(statuses.items()))
    if failures:
        pytest.fail("\n\n".join(dict.fromkeys(failures)))
    # the run exercised the surface: successes and client errors on many operations
    assert statuses.get(200, 0) > 50 and sum(v for k, v in statuses.items() if 400 <= k < 500) > 50, statuses


def _example(name: str) -> Any:
    return json.loads((SPEC.parent / "examples" / name).read_text())


def _validating_caller(server: RunningServer) -> Callable[..., Any]:
    """call(path, method, **case): one operation of the spec against `server`, its answer validated by
    schemathesis (no server error, response conforms to the spec)."""
    schema = schemathesis.openapi.from_path(str(SPEC))
    base, auth = server.http + "/tams", server.auth()
    checks = [not_a_server_error, response_schema_conformance]

    def call(path: str, method: str, **kwargs: Any) -> Any:
        case = schema[path][method].Case(**kwargs)
        return case.call_and_validate(base_url=base, headers=auth, timeout=10, checks=checks)

    return call


def test_webhook_lifecycle_conforms(server: RunningServer) -> None:
    """Random bodies rarely form a valid webhook, so the spec's own examples drive one through its whole
    life (register, list, get, update, delete), each answer validated against the spec by schemathesis."""
    call = _validating_caller(server)
    created = call("/service/webhooks", "POST", body=_example("webhook-post.json"), media_type="application/json")
    assert created.status_code == 201
    hook_id = created.json()["id"]
    listed = call("/service/webhooks", "GET")
    assert listed.status_code == 200 and hook_id in [h["id"] for h in listed.json()]
    got = call("/service/webhooks/{webhookId}", "GET", path_parameters={"webhookId": hook_id})
    assert got.status_code == 200
    update = {**_example("webhook-put.json"), "id": hook_id}
    put = call(
        "/service/webhooks/{webhookId}",
        "PUT",
        path_parameters={"webhookId": hook_id},
        body=update,
        media_type="application/json",
    )
    assert put.status_code == 201
    gone = call("/service/webhooks/{webhookId}", "DELETE", path_parameters={"webhookId": hook_id})
    assert gone.status_code == 204
    assert call("/service/webhooks/{webhookId}", "GET", path_parameters={"webhookId": hook_id}).status_code == 404


def test_profile_lifecycle_conforms(server: RunningServer) -> None:
    """The spec's Profile examples through POST, the filtered list and GET, each answer validated by
    schemathesis against the spec (random bodies rarely form a valid Profile)."""
    call = _validating_caller(server)
    profile = {**_example("profile-put.json"), "id": str(uuid.uuid4()), "label": f"conformance-{uuid.uuid4()}"}
    path = {"profileId": profile["id"]}
    created = call(
        "/service/profiles/{profileId}", "POST", path_parameters=path, body=profile, media_type="application/json"
    )
    assert created.status_code == 201
    again = call(
        "/service/profiles/{profileId}", "POST", path_parameters=path, body=profile, media_type="application/json"
    )
    assert again.status_code == 400
    listed = call(
        "/service/profiles",
        "GET",
        query={"label": profile["label"], "codec": "video/h264", "format": "urn:x-nmos:format:video", "limit": 5},
    )
    assert listed.status_code == 200 and [p["id"] for p in listed.json()] == [profile["id"]]
    got = call("/service/profiles/{profileId}", "GET", path_parameters=path)
    assert got.status_code == 200 and got.json()["flow_metadata"] == profile["flow_metadata"]
    missing = call("/service/profiles/{profileId}", "GET", path_parameters={"profileId": str(uuid.uuid4())})
    assert missing.status_code == 404
