"""Albums whose tracks all moved to another folder (so to another album) or were removed disappear."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import soundfile
from mutagen.flac import FLAC

from tests.harness import run_server


def test_albums_left_without_tracks_after_a_folder_move_disappear(tmp_path: Path) -> None:
    root = tmp_path / "music"
    old = root / "Old Folder"
    old.mkdir(parents=True)
    for i, title in enumerate(["One", "Two"]):
        path = old / f"{title}.flac"
        soundfile.write(str(path), 0.2 * np.sin(np.arange(8000) * (0.05 + i * 0.01)), 8000, format="FLAC")
        tags = FLAC(path)
        tags["title"], tags["artist"], tags["album"] = title, "Mover", "Wandering"  # no album artist: by folder
        tags.save()
    with run_server(tmp_path / "data") as srv, httpx.Client(base_url=srv.http) as http:
        env = dict(os.environ, POLYPHONY_DATABASE_URL=srv.database_url)

        def scan() -> str:
            out = subprocess.run(
                [sys.executable, "-m", "polyphony.cli", "scan", str(root)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert out.returncode == 0, out.stderr
            return " ".join((out.stdout + out.stderr).split())  # the console wraps long lines

        def albums() -> list[str]:
            data = http.get("/aura/albums", params={"filter[title]": "Wandering"}).json()["data"]
            return [a["id"] for a in data]

        scan()
        [before] = albums()
        old.rename(root / "New Folder")
        report = scan()
        assert "2 moved" in report and "1 empty albums dropped" in report
        [after] = albums()
        assert after != before
        assert http.get(f"/aura/albums/{before}").status_code == 404
        tracks = http.get(f"/aura/albums/{after}", params={"include": "tracks"}).json()
        assert len(tracks["data"]["relationships"]["tracks"]["data"]) == 2
        assert "0 empty albums dropped" in scan()
