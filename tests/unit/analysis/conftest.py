"""Fixtures for the analysis unit tests: generated audio files and a migrated scratch database."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from polyphony.analysis.items.service import ItemService
from polyphony.app import migrate
from polyphony.core.db import Database
from polyphony.core.objects import FilesystemObjectStore

RATE = 8000


def sine(seconds: float = 1.0, freq: float = 440.0, amplitude: float = 0.5, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * freq * t)


def encode(samples: np.ndarray, fmt: str = "WAV", rate: int = RATE, subtype: str | None = None) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def multipart(
    fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, str, bytes]], boundary: str = "XbOuNdArYx"
) -> tuple[str, bytes]:
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, data in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


async def chunked(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[ItemService]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await migrate(db)
    try:
        yield ItemService(db, FilesystemObjectStore(tmp_path / "objects"))
    finally:
        await db.dispose()


def stored_files(service: ItemService) -> list[Path]:
    root = service.objects.local_path("x").parent
    return [p for p in root.rglob("*") if p.is_file()]
