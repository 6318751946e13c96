"""Fuzz the REST surfaces that have no official OpenAPI document with schemathesis: AURA and Open Theater
from the documents `polyphony.edge.openapi` generates, TimeSide from the one the server itself serves at
`/timeside/api/schema/`. Every operation, through Envoy, with a write token: no server error (5xx) and no
request left unanswered (each call has a 10 s timeout; a timeout fails the test). Examples per operation
are bounded (POLYPHONY_FUZZ_OPENAPI_EXAMPLES, default 10)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from polyphony.edge import openapi
from tests.harness import RunningServer, run_server

EXAMPLES = int(os.environ.get("POLYPHONY_FUZZ_OPENAPI_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own: the fuzzer writes random resources that other tests must not see."""
    with run_server(tmp_path_factory.mktemp("fuzz-openapi")) as srv:
        yield srv


def _document(name: str, server: RunningServer) -> dict[str, Any]:
    if name == "analysis":  # the document the server serves, as clients see it
        doc: dict[str, Any] = httpx.get(server.http + "/timeside/api/schema/", timeout=30).json()
        return doc
    return openapi.document(name, server.http)


def _fuzz(operation: Any, server: RunningServer, failures: list[str], statuses: dict[int, int]) -> None:
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
            response = case.call_and_validate(
                base_url=server.http, headers=server.auth(), timeout=10, checks=[not_a_server_error]
            )
        except (Exception, BaseExceptionGroup) as exc:  # a server error (FailureGroup), or no answer in time
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
            raise
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
        if not any(f.startswith(operation.label + ":") for f in failures):
            failures.append(f"{operation.label}: could not run: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("name", ["media", "trigger", "analysis"])
def test_rest_surface_never_fails_on_the_server(fuzzed: RunningServer, name: str) -> None:
    schema = schemathesis.openapi.from_dict(_document(name, fuzzed))
    schema.config.base_url = fuzzed.http
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        _fuzz(operation, fuzzed, failures, statuses)
    print(name, "statuses:", sorted(statuses.items()))
    if failures:
        pytest.fail("\n\n".join(dict.fromkeys(failures)))
    assert sum(statuses.values()) >= len(operations), statuses  # every operation was exercised
