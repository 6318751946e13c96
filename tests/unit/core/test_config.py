from pathlib import Path

from polyphony.core.config import Settings, describe


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
