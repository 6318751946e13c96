import asyncio

import pytest

from polyphony.trigger.bus import CueBus, CueEvent, Overflow


def event(seq: int, project: str = "p") -> CueEvent:
    return CueEvent(project, seq, seq, {"content": {"text_de": str(seq)}})


async def test_fan_out_to_project_subscribers_only() -> None:
    bus = CueBus()
    async with bus.subscribe("p") as a, bus.subscribe("p") as b, bus.subscribe("q") as other:
        assert bus.publish(event(1)) == 2
        assert (await a.get()).sequence == 1  # type: ignore[union-attr]
        assert (await b.get()).sequence == 1  # type: ignore[union-attr]
        assert other._queue.empty()
    assert bus.subscribers("p") == 0


async def test_encoded_once_per_event() -> None:
    calls: list[CueEvent] = []

    def encoder(ev: CueEvent) -> bytes:
        calls.append(ev)
        return b"bytes"

    e = event(1)
    assert [e.encoded("x", encoder) for _ in range(3)] == [b"bytes"] * 3
    assert len(calls) == 1 and e.text == '{"content":{"text_de":"1"}}'


async def test_slow_subscriber_is_cut_off_not_the_others() -> None:
    bus = CueBus(max_backlog=2)
    async with bus.subscribe("p") as slow, bus.subscribe("p") as fast:
        for i in range(1, 4):
            bus.publish(event(i))
            assert (await fast.get()).sequence == i  # type: ignore[union-attr]
        assert (await slow.get()).sequence == 1  # type: ignore[union-attr]
        assert (await slow.get()).sequence == 2  # type: ignore[union-attr]
        with pytest.raises(Overflow):
            await slow.get()


async def test_close_ends_iteration() -> None:
    bus = CueBus()
    async with bus.subscribe("p") as sub:

        async def consume() -> list[int]:
            return [e.sequence async for e in sub]

        task = asyncio.create_task(consume())
        bus.publish(event(1))
        await asyncio.sleep(0)
        bus.close()
        assert await asyncio.wait_for(task, 1) == [1]
