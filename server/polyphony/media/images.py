"""Cover-art discovery: embedded pictures (ID3 APIC, FLAC/Vorbis pictures, MP4 covr) and folder images,
with width and height read from the PNG/JPEG headers. No database here."""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.flac import FLAC, Picture

FOLDER_NAMES = ("cover", "folder", "front", "album", "albumart")
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


@dataclass(frozen=True)
class FoundImage:
    path: Path
    embedded_index: int  # -1 for a file of its own
    data_size: int
    sha256: str
    mimetype: str
    role: str
    width: int | None
    height: int | None


def dimensions(data: bytes) -> tuple[str | None, int | None, int | None]:
    """(mimetype, width, height) from PNG or JPEG bytes; (None, None, None) if neither."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", w, h
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return "image/jpeg", w, h
            i += 2 + length
        return "image/jpeg", None, None
    return None, None, None


def _found(path: Path, index: int, data: bytes, role: str, declared: str | None) -> FoundImage | None:
    mimetype, w, h = dimensions(data)
    mimetype = mimetype or declared
    if not mimetype or not mimetype.startswith("image/"):
        return None
    return FoundImage(path, index, len(data), hashlib.sha256(data).hexdigest(), mimetype, role, w, h)


def embedded_pictures(path: Path) -> list[bytes]:
    """The raw bytes of every picture embedded in an audio file, in file order."""
    try:
        audio = mutagen.File(path)
    except Exception:
        return []
    if audio is None:
        return []
    out: list[bytes] = []
    if isinstance(audio, FLAC):
        out += [p.data for p in audio.pictures]
    tags = audio.tags
    if tags is None:
        return out
    if hasattr(tags, "getall"):  # ID3
        out += [frame.data for frame in tags.getall("APIC")]
    elif "covr" in tags:  # MP4
        out += [bytes(c) for c in tags["covr"]]
    elif "metadata_block_picture" in tags:  # Ogg Vorbis/Opus
        for b64 in tags["metadata_block_picture"]:
            try:
                out.append(Picture(base64.b64decode(b64)).data)
            except Exception:
                continue
    return out


def embedded_images(path: Path) -> list[FoundImage]:
    images = []
    for index, data in enumerate(embedded_pictures(path)):
        found = _found(path, index, data, "cover" if index == 0 else "other", None)
        if found:
            images.append(found)
    return images


def folder_images(folder: Path) -> list[FoundImage]:
    images = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in IMAGE_TYPES and path.stem.lower() in FOLDER_NAMES and path.is_file():
            data = path.read_bytes()
            role = "cover" if path.stem.lower() in ("cover", "front", "folder") else path.stem.lower()
            found = _found(path, -1, data, role, IMAGE_TYPES[path.suffix.lower()])
            if found:
                images.append(found)
    return images


def image_bytes(path: Path, embedded_index: int) -> bytes:
    if embedded_index < 0:
        return path.read_bytes()
    pictures = embedded_pictures(path)
    if embedded_index >= len(pictures):
        raise FileNotFoundError(f"{path} no longer embeds picture {embedded_index}")
    return pictures[embedded_index]
