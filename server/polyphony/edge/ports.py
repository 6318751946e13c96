"""Checking that a listening port is free before anything starts (serve and the front edge)."""

from __future__ import annotations


class PortBusy(RuntimeError):
    pass


def ensure_port_free(host: str, port: int) -> None:
    """Fail at once when something listens on Envoy's port (another `polyphony serve`, say): Envoy itself
    never shares it (no SO_REUSEPORT), this just says so before anything starts."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Envoy does: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortBusy(f"port {port} on {host} is already in use (another polyphony serve?)") from None
            raise PortBusy(f"cannot listen on {host}:{port}: {exc.strerror}") from None
