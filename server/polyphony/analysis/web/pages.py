"""The legacy HTML pages of TimeSide's web UI: an item's page, its export page and the player.

Every value that comes from a user (titles, descriptions, names, URLs) goes through `html.escape`
(quotes included, as attribute values are quoted). The waveform is drawn inline as SVG from the
item's min/max envelope, so the page needs no image route.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from urllib.parse import quote

from polyphony.analysis.engine.visuals import Envelope
from polyphony.analysis.items.downloads import BY_EXT
from polyphony.analysis.models import Item, Result

PLAYER_FORMATS = ("mp3", "ogg", "wav")
_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:60em}dt{font-weight:bold}"
    "svg{width:100%;height:120px;background:#f4f4f4}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    ).encode()


def _download(base: str, item: Item, ext: str) -> str:
    return f"{base}/timeside/items/{quote(item.uuid)}/download/{ext}"


def _player(base: str, item: Item) -> str:
    sources = "".join(
        f'<source src="{_e(_download(base, item, ext))}" type="{_e(BY_EXT[ext].mimetype)}">' for ext in PLAYER_FORMATS
    )
    return f'<audio controls preload="none">{sources}</audio>\n'


def waveform_svg(env: Envelope | None) -> str:
    """The min/max envelope as an SVG polygon (x: pixel index, y: amplitude -1..1)."""
    if env is None or not env.min:
        return "<p>No waveform: this item has no audio file.</p>\n"
    count = len(env.min)
    top = " ".join(f"{i},{-max(min(v, 1.0), -1.0):.4f}" for i, v in enumerate(env.max))
    bottom = " ".join(f"{i},{-max(min(v, 1.0), -1.0):.4f}" for i, v in reversed(list(enumerate(env.min))))
    return (
        f'<svg class="waveform" role="img" aria-label="waveform" viewBox="0 -1 {max(count - 1, 1)} 2" '
        f'preserveAspectRatio="none"><polygon points="{top} {bottom}" fill="#3366aa"/></svg>\n'
    )


def _metadata(item: Item) -> str:
    rows: list[tuple[str, object]] = [
        ("Description", item.description),
        ("Artist", item.artist),
        ("Album", item.album),
        ("Source URL", item.source_url),
        ("MIME type", item.mime_type or ""),
        ("Duration (s)", "" if item.audio_duration is None else f"{item.audio_duration:.3f}"),
        ("Sample rate (Hz)", item.samplerate or ""),
        ("Channels", item.channels or ""),
        ("Added", item.date_added.isoformat()),
    ]
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v not in ("", None))
    return f'<dl class="metadata">{body}</dl>\n'


def item_page(base: str, item: Item, env: Envelope | None) -> bytes:
    api = f"{base}/timeside/api/items/{quote(item.uuid)}/"
    body = (
        f"<h1>{_e(item.title or item.uuid)}</h1>\n{_metadata(item)}"
        + (_player(base, item) if item.source_key else "<p>This item has no audio file.</p>\n")
        + waveform_svg(env)
        + f'<p><a href="{_e(api)}">API</a> · <a href="{_e(api)}waveform/">waveform data</a> · '
        f'<a href="{_e(base)}/timeside/items/{_e(quote(item.uuid))}/export/">export</a> · '
        f'<a href="{_e(base)}/timeside/player/?item={_e(quote(item.uuid))}">player</a></p>\n'
    )
    return _page(item.title or item.uuid, body)


def export_page(base: str, item: Item, results: Sequence[Result]) -> bytes:
    audio = (
        "".join(
            f'<li><a href="{_e(_download(base, item, ext))}" download>{_e(ext)}</a> ({_e(BY_EXT[ext].mimetype)})</li>'
            for ext in sorted(BY_EXT)
        )
        if item.source_key
        else ""
    )
    rows = []
    for r in results:
        kind = "audio" if r.mime_type.startswith("audio/") else "json"
        url = f"{base}/timeside/results/{quote(r.uuid)}/{kind}/"
        rows.append(
            f'<tr><td><a href="{_e(url)}">{_e(r.uuid)}</a></td><td>{_e(r.mime_type)}</td>'
            f"<td>{_e(r.date_modified.isoformat())}</td></tr>"
        )
    table = (
        "<table><tr><th>result</th><th>type</th><th>date</th></tr>" + "".join(rows) + "</table>\n"
        if rows
        else "<p>No results yet.</p>\n"
    )
    body = (
        f"<h1>Export: {_e(item.title or item.uuid)}</h1>\n<h2>Audio</h2>\n"
        + (f"<ul>{audio}</ul>\n" if audio else "<p>This item has no audio file.</p>\n")
        + f"<h2>Results</h2>\n{table}"
        + f'<p><a href="{_e(base)}/timeside/items/{_e(quote(item.uuid))}/">back to the item</a></p>\n'
    )
    return _page(f"Export: {item.title or item.uuid}", body)


def player_page(base: str, items: Iterable[Item], current: Item | None, env: Envelope | None) -> bytes:
    body = "<h1>Player</h1>\n"
    if current is not None:
        body += (
            f"<h2>{_e(current.title or current.uuid)}</h2>\n"
            + (_player(base, current) if current.source_key else "<p>This item has no audio file.</p>\n")
            + waveform_svg(env)
        )
    links = "".join(
        f'<li><a href="{_e(base)}/timeside/player/?item={_e(quote(i.uuid))}">{_e(i.title or i.uuid)}</a></li>'
        for i in items
    )
    body += f'<h2>Items</h2>\n<ul class="items">{links}</ul>\n' if links else "<p>No items.</p>\n"
    return _page("Player", body)
