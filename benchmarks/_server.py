"""Start, kill -9 and restart a real `polyphony serve` for the fault and soak benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

TOKEN = "bench-write-token"


def free_port() -> int:  # for the benchmark's own Envoy port; a race here only fails the benchmark's start
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`polyphony serve` in its own process group, so kill -9 reaches every process of it at once."""

    def __init__(
        self, data_dir: Path, port: int, workers: int, database_url: str = "", extra: tuple[str, ...] = ()
    ) -> None:
        self.data_dir, self.port, self.workers, self.database_url = data_dir, port, workers, database_url
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{port}"
        self.auth = {"authorization": f"Bearer {TOKEN}"}

    def env(self) -> dict[str, str]:
        env = dict(os.environ, POLYPHONY_WRITE_TOKENS=TOKEN, POLYPHONY_READ_TOKENS=TOKEN, PYTHONUNBUFFERED="1")
        env["POLYPHONY_TAMS_ALLOW_PRIVATE_WEBHOOKS"] = "true"
        if self.database_url:
            env["POLYPHONY_DATABASE_URL"] = self.database_url
        return env

    def start(self, timeout: float = 120) -> float:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / "serve.log"
        offset = log.stat().st_size if log.exists() else 0
        argv = [sys.executable, "-m", "polyphony.cli", "serve", "--http-port", str(self.port)]
        argv += ["--data-dir", str(self.data_dir), "--workers", str(self.workers), *self.extra]
        started = time.monotonic()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=self.env(), start_new_session=True
            )
        while "polyphony ready" not in log.read_text(errors="replace")[offset:]:
            if self.proc.poll() is not None or time.monotonic() - started > timeout:
                raise RuntimeError("serve did not start:\n" + log.read_text(errors="replace")[offset:][-3000:])
            time.sleep(0.05)
        return time.monotonic() - started

    def pids(self) -> list[int]:
        """Every process of the server (serve, its workers, Envoy)."""
        assert self.proc is not None
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.proc.pid:
                        found.append(int(entry.name))
                except OSError:
                    pass
        return found

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in argv if a)
    if "_worker" in text:
        return "worker " + text.rsplit("worker-", 1)[-1].split(".")[0]
    if "envoy" in text.split(" ")[0]:
        return "envoy"
    return "serve (worker 1)" if "serve" in text else text[:40]
