"""The analysis service over an object store without local files (as S3): uploads, task runs, result
containers, exports, visuals, waveforms and downloads all read and write through the store, with local
copies only in the bounded cache."""

from __future__ import annotations

import json
from pathlib import Path

from polyphony.analysis.catalog.service import Catalog
from polyphony.analysis.engine import visuals
from polyphony.analysis.items.downloads import Downloads
from polyphony.analysis.items.service import ItemService
from polyphony.analysis.tasks.jobs import DONE
from polyphony.analysis.tasks.runner import InProcessRunner
from polyphony.analysis.tasks.runs import RunService
from polyphony.app import migrate
from polyphony.core.db import Database
from polyphony.core.local_copies import LocalCopies
from tests.remote_store import RemoteStore
from tests.unit.analysis.conftest import chunked, encode, sine


async def test_a_task_runs_and_serves_from_a_remote_store(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await migrate(db)
    store = RemoteStore(tmp_path / "remote")
    try:
        copies = LocalCopies(store, tmp_path / "cache", 1 << 30)
        items = ItemService(db, store, copies=copies)
        item = await items.create_from_upload({"title": "r"}, "r.wav", chunked(encode(sine(2.0)), 4096))
        assert item.audio_duration == 2.0 and store.reads == 0  # probed from the copy kept as it was uploaded
        catalog = Catalog(db)
        await catalog.sync_processors()
        pitch, _ = await catalog.create_preset({"processor": "pitch_yin", "parameters": {}})
        flac, _ = await catalog.create_preset({"processor": "flac_encoder", "parameters": {}})
        runner = InProcessRunner(db, copies)
        runs = RunService(db, copies, catalog, runner)
        exp = await catalog.create_experience({"presets": [pitch.uuid, flac.uuid]})
        task = await runs.create_task({"experience": exp.row.uuid, "item": item.uuid})
        events = [event async for event in runs.watch(task.uuid)]
        assert events[-1].kind == "done" and events[-1].task.status == DONE, events[-1].task.error
        results = {r.preset_uuid: r for r in await runs.list_results(item.uuid)}
        _, chunks = await runs.result_stream(results[pitch.uuid].uuid, "json")
        container = json.loads(b"".join([chunk async for chunk in chunks]))
        assert "pitch_yin.pitch" in {e["id_metadata"]["id"] for e in container}
        assert (await runs.result_visual(results[pitch.uuid].uuid, subprocessor_id="pitch_yin.pitch")).startswith(
            b"\x89PNG"
        )
        assert results[flac.uuid].mime_type == "audio/flac" and results[flac.uuid].file_key is not None
        assert await store.size(results[flac.uuid].file_key) is not None
        download = await Downloads(db, copies).prepare(item, "wav", None, None, None)
        assert (b"".join([c async for c in download.body]))[:4] == b"RIFF"
        async with copies.local_file(item.source_key or "") as path:
            assert visuals.waveform(path, None, None, 100).nb_pixels == 100
        # what is on this machine is only the cache: nothing outside it, and it can go
        assert any((tmp_path / "cache").rglob("*.hdf5")) or any((tmp_path / "cache").rglob("*.wav"))
        await runner.close()
    finally:
        await db.dispose()
