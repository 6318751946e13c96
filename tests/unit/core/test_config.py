import ast
import logging
import os
from dataclasses import fields
from pathlib import Path

import pytest

from polyphony.core.config import ClientSettings, Settings, child_environment, describe


def test_settings_from_env_and_overrides(tmp_path: Path) -> None:
    env = {
        "POLYPHONY_HTTP_PORT": "9000",
        "POLYPHONY_WRITE_TOKENS": "a, b",
        "POLYPHONY_OPEN_READS": "false",
        "POLYPHONY_DATA_DIR": str(tmp_path),
    }
    s = Settings.from_env(env, http_port=9100)
    assert s.http_port == 9100
    assert s.write_tokens == ("a", "b")
    assert s.open_reads == "false"  # no API open: see polyphony.core.auth.parse_open_reads
    assert s.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'polyphony.db'}"


def test_secret_is_generated_once_and_shared(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    first = s.resolved_secret()
    assert first and Settings(data_dir=tmp_path).resolved_secret() == first


def test_help_lists_every_variable() -> None:
    text = describe()
    for name in ("POLYPHONY_DATA_DIR", "POLYPHONY_DATABASE_URL", "POLYPHONY_WRITE_TOKENS", "POLYPHONY_WORKERS"):
        assert name in text


SERVER = Path(__file__).resolve().parents[3] / "server" / "polyphony"


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    from polyphony.cli import main

    with pytest.raises(SystemExit):
        main(argv)
    return capsys.readouterr().out


def test_serve_help_lists_every_setting_and_nothing_internal(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(["serve", "--help"], capsys)
    for f in fields(Settings):
        assert f"POLYPHONY_{f.name.upper()} " in text, f.name
    top = _help(["--help"], capsys)
    assert "SUPPRESS" not in top and "_worker" not in top


def test_only_settings_reads_the_environment() -> None:
    readers = []
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv", "putenv", "unsetenv")
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                readers.append(str(path.relative_to(SERVER)))
    assert sorted(set(readers)) == ["core/config.py"]


def test_a_child_gets_exactly_the_parents_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, write_tokens=("a", "b"), open_reads="none", ws_heartbeat=2.5, workers=3)
    assert Settings.from_env(settings.to_env()) == settings
    before = dict(os.environ)
    env = child_environment(settings)
    assert env["POLYPHONY_WRITE_TOKENS"] == "a,b" and env["POLYPHONY_OPEN_READS"] == "none"
    assert dict(os.environ) == before  # the parent's own environment is left alone


def test_the_tams_knobs_are_settings() -> None:
    from polyphony.flow.dispatcher import RetryPolicy

    settings = Settings.from_env(
        {
            "POLYPHONY_TAMS_SYNC_DELETE_LIMIT": "3",
            "POLYPHONY_TAMS_WEBHOOK_RETRY_BASE": "0.5",
            "POLYPHONY_TAMS_WEBHOOK_RETRY_MAX": "9",
            "POLYPHONY_TAMS_WEBHOOK_MAX_ATTEMPTS": "4",
            "POLYPHONY_TAMS_WEBHOOK_TIMEOUT": "2",
        }
    )
    assert settings.tams_sync_delete_limit == 3
    assert RetryPolicy.from_settings(settings) == RetryPolicy(
        base_seconds=0.5, max_seconds=9.0, max_attempts=4, timeout_seconds=2.0
    )


def test_a_bad_value_is_named() -> None:
    with pytest.raises(ValueError, match="POLYPHONY_HTTP_PORT"):
        Settings.from_env({"POLYPHONY_HTTP_PORT": "eighty"})


def test_log_level_is_honoured_and_alembic_is_quiet() -> None:
    from polyphony.cli import configure_logging

    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    try:
        root.handlers.clear()
        configure_logging("warning")
        assert root.level == logging.WARNING
        configure_logging("info")
        assert logging.getLogger("alembic").getEffectiveLevel() == logging.WARNING
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def test_client_commands_read_their_settings_through_config(tmp_path: Path) -> None:
    client = ClientSettings.from_env({"POLYPHONY_URL": "http://x:1", "POLYPHONY_DATA_DIR": str(tmp_path)})
    assert client.url == "http://x:1" and client.data_dir == tmp_path and client.token == ""
