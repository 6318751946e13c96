import os
from pathlib import Path

import pytest

from polyphony.core.errors import NotFound, RangeNotSatisfiable
from polyphony.trigger import files


@pytest.fixture
def channel(tmp_path: Path) -> Path:
    root = tmp_path / "chan"
    (root / "sub").mkdir(parents=True)
    for name in ("10.mp4", "2.mp4", "1.mp4", "sub/a.vtt"):
        (root / name).write_bytes(b"0123456789")
    (root / "fileList.json").write_text("{}")
    (root / ".hidden").write_text("x")
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    os.utime(root / "2.mp4", ns=(1_700_000_000_123_000_000, 1_700_000_000_123_000_000))
    return root


async def test_listing_is_natural_sorted_without_json_hidden_or_escaping_links(channel: Path) -> None:
    entries = await files.list_files(str(channel))
    assert [e.filepath for e in entries] == ["1.mp4", "2.mp4", "10.mp4", "sub/a.vtt"]
    two = entries[1]
    assert two.filesize == 10 and two.lastmodified == 1_700_000_000_123
    assert files.newest(entries) == max(e.lastmodified for e in entries)
    assert files.newest([]) is None


@pytest.mark.parametrize("bad", ["../secret.txt", "/etc/passwd", "link.txt", "fileList.json", ".hidden", "", "sub"])
def test_resolve_is_confined(channel: Path, bad: str) -> None:
    with pytest.raises(NotFound):
        files.resolve(str(channel), bad)


def test_resolve_and_types(channel: Path) -> None:
    path = files.resolve(str(channel), "sub/a.vtt")
    assert path == (channel / "sub" / "a.vtt").resolve()
    assert files.content_type(path) == "text/vtt"
    assert files.content_type(Path("x.mp4")) == "video/mp4"
    assert files.content_type(Path("x.unknownext")) == "application/octet-stream"


def test_ranges() -> None:
    assert files.parse_range(None, 10) is None
    assert files.parse_range("bytes=2-4", 10) == (2, 4)
    assert files.parse_range("bytes=2-", 10) == (2, 9)
    assert files.parse_range("bytes=-3", 10) == (7, 9)
    assert files.parse_range("bytes=5-100", 10) == (5, 9)
    assert files.parse_range("bytes=0-1,4-5", 10) is None  # multi-range: whole file
    assert files.parse_range("items=1-2", 10) is None
    for bad in ("bytes=10-", "bytes=5-2", "bytes=-0"):
        with pytest.raises(RangeNotSatisfiable) as info:
            files.parse_range(bad, 10)
        assert info.value.headers == {"content-range": "bytes */10"}


async def test_read_span(channel: Path) -> None:
    chunks = [c async for c in files.read(channel / "1.mp4", 3, 5)]
    assert b"".join(chunks) == b"345"
