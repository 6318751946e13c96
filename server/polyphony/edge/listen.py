"""Where an internal listener (a worker's gRPC server, the live app) listens, chosen without a race.

By default every internal listener is a Unix socket in the run directory: its address is known before any
process starts (Envoy's config names it), nothing else on the machine can take it between choosing and
binding, and a restarted worker binds the same path again. A TCP port is used only when one is configured
(`POLYPHONY_GRPC_PORT`, `POLYPHONY_LIVE_PORT`); binding it fails at once when it is taken.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# sockaddr_un.sun_path is 108 bytes on Linux (including the terminating NUL)
MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class Listen:
    """A Unix socket path, or a TCP port on `host` (127.0.0.1 unless `POLYPHONY_INTERNAL_HOST` says)."""

    path: str = ""
    port: int = 0
    host: str = "127.0.0.1"

    @classmethod
    def parse(cls, text: str) -> Listen:
        """`unix:/path`, a port number, or `host:port` (the worker's command line)."""
        if text.startswith("unix:"):
            return cls(path=text[len("unix:") :])
        host, sep, port = text.rpartition(":")
        if sep:
            return cls(port=int(port), host=host.strip("[]"))
        return cls(port=int(text))

    def __str__(self) -> str:
        if self.path:
            return f"unix:{self.path}"
        return str(self.port) if self.host == "127.0.0.1" else f"{_bracket(self.host)}:{self.port}"

    def grpc_address(self) -> str:
        return f"unix:{self.path}" if self.path else f"{_bracket(self.host)}:{self.port}"

    @property
    def connect_host(self) -> str:
        """Where a local client reaches this listener: a wildcard bind is reached on loopback."""
        return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)

    def envoy_address(self) -> dict[str, Any]:
        if self.path:
            return {"pipe": {"path": self.path}}
        return {"socket_address": {"address": self.connect_host, "port_value": self.port}}

    def unlink_stale(self) -> None:
        """Remove a socket file left by a process that died (binding it again would fail). A socket that
        still answers belongs to a running server (another `serve` on the same data directory): refused."""
        if not self.path or not os.path.exists(self.path):
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(self.path)
            except OSError:
                pass
            else:
                raise OSError(errno.EADDRINUSE, f"{self.path} is in use by a running server")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def socket_dir(run_dir: Path) -> Path:
    """The directory for the internal sockets: the run directory when its paths fit in sun_path, else a
    per-data-directory folder under the temporary directory (made private, reused across restarts)."""
    if len(str(run_dir.resolve() / "worker-99.sock")) <= MAX_SOCKET_PATH:
        run_dir.mkdir(parents=True, exist_ok=True)
        return run_dir.resolve()
    digest = hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"polyphony-{os.getuid()}-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short


def internal_listeners(
    run_dir: Path, workers: int, grpc_port: int, live_port: int, host: str = "127.0.0.1"
) -> tuple[list[Listen], Listen]:
    """The gRPC listener of each worker and the live app's listener (TCP ones bind `host`)."""
    where = socket_dir(run_dir)
    grpc = [
        Listen(port=grpc_port + i, host=host) if grpc_port else Listen(path=str(where / f"worker-{i + 1}.sock"))
        for i in range(workers)
    ]
    live = Listen(port=live_port, host=host) if live_port else Listen(path=str(where / "live.sock"))
    return grpc, live
