"""A quiet start (issue 15): the server's own output is a few lines, no library chatter or warnings."""

from __future__ import annotations

from tests.harness import RunningServer


def test_start_prints_no_warnings_and_no_migration_chatter(server: RunningServer) -> None:
    log = server.log()
    assert "polyphony ready in" in log
    assert "Warning" not in log and "warnings.warn" not in log, log
    assert "alembic" not in log, log
    before_ready = log[: log.index("polyphony ready in")]
    assert len(before_ready.splitlines()) <= 3, before_ready
