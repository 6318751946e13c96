"""A plain WebSocket audience connection: its own outbox, so a stalled client cannot hold up others."""

import asyncio
from typing import Any

from polyphony.trigger.live import MAX_SOCKET_BACKLOG, WsPeer


async def test_messages_go_out_in_order() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    peer = WsPeer(send)
    task = asyncio.create_task(peer.run())
    for i in range(3):
        peer.offer(str(i))
    await asyncio.sleep(0.01)
    assert [m["text"] for m in sent] == ["0", "1", "2"]
    task.cancel()


async def test_a_stalled_client_is_dropped_without_blocking_the_offer() -> None:
    gate = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.send":
            await gate.wait()  # the client stopped reading

    peer = WsPeer(send)
    task = asyncio.create_task(peer.run())
    peer.offer("0")
    await asyncio.sleep(0.01)  # the writer is now stuck sending "0"
    for i in range(1, MAX_SOCKET_BACKLOG + 5):  # never blocks, however slow the client
        peer.offer(str(i))
    assert peer.dropped
    gate.set()
    await asyncio.wait_for(task, 1)
    assert sent[0]["text"] == "0" and sent[-1] == {"type": "websocket.close", "code": 1013}
    assert len(sent) == 2  # the backlog was discarded, the socket closed
