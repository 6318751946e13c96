"""No acknowledged write is lost: 50 concurrent writers of different properties of one TAMS Flow (and one
Source), REST through Envoy, every one answered 204, and afterwards every value is there (issue 14). Each
setter reads the stored document, changes one key and writes it back, so without a row lock (PostgreSQL) or
a write transaction that locks from its start (SQLite) concurrent setters overwrite each other."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.harness import RunningServer
from tests.unit.flow.spec import audio_flow

WRITERS = 50


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    """Every request carries the write token unless it sets its own (TAMS reads need one too)."""
    with httpx.Client(base_url=server.http, timeout=30, headers=server.auth()) as client:
        yield client


async def _put_all(server: RunningServer, writes: list[tuple[str, Any]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=WRITERS, max_keepalive_connections=WRITERS)
    async with httpx.AsyncClient(base_url=server.http, timeout=60, limits=limits) as client:
        start = asyncio.Event()

        async def put(path: str, value: Any) -> httpx.Response:
            await start.wait()
            return await client.put(path, json=value, headers=server.auth())

        tasks = [asyncio.create_task(put(path, value)) for path, value in writes]
        await asyncio.sleep(0)
        start.set()
        return list(await asyncio.gather(*tasks))


async def test_concurrent_flow_property_writes_all_survive(http: httpx.Client, server: RunningServer) -> None:
    flow = audio_flow()
    assert http.put(f"/tams/flows/{flow['id']}", json=flow, headers=server.auth()).status_code == 201
    base = f"/tams/flows/{flow['id']}"
    writes: list[tuple[str, Any]] = [
        (f"{base}/label", "the label"),
        (f"{base}/description", "the description"),
        (f"{base}/max_bit_rate", 4321),
        (f"{base}/avg_bit_rate", 1234),
    ]
    writes += [(f"{base}/tags/t{i}", f"v{i}") for i in range(WRITERS - len(writes))]
    answers = await _put_all(server, writes)
    assert [r.status_code for r in answers] == [204] * WRITERS, [r.text for r in answers if r.status_code != 204]
    doc = http.get(base).json()
    assert (doc["label"], doc["description"]) == ("the label", "the description")
    assert (doc["max_bit_rate"], doc["avg_bit_rate"]) == (4321, 1234)
    expected = {f"t{i}": f"v{i}" for i in range(WRITERS - 4)}
    assert {k: v for k, v in doc.get("tags", {}).items() if k in expected} == expected


async def test_concurrent_source_property_writes_all_survive(http: httpx.Client, server: RunningServer) -> None:
    flow = audio_flow()
    assert http.put(f"/tams/flows/{flow['id']}", json=flow, headers=server.auth()).status_code == 201
    base = f"/tams/sources/{flow['source_id']}"
    writes: list[tuple[str, Any]] = [(f"{base}/label", "source label"), (f"{base}/description", "source text")]
    writes += [(f"{base}/tags/s{i}", f"w{i}") for i in range(WRITERS - len(writes))]
    answers = await _put_all(server, writes)
    assert [r.status_code for r in answers] == [204] * WRITERS, [r.text for r in answers if r.status_code != 204]
    doc = http.get(base).json()
    assert (doc["label"], doc["description"]) == ("source label", "source text")
    expected = {f"s{i}": f"w{i}" for i in range(WRITERS - 2)}
    assert {k: v for k, v in doc.get("tags", {}).items() if k in expected} == expected
