"""sd_notify over $NOTIFY_SOCKET: READY, STATUS, WATCHDOG, STOPPING; a no-op outside systemd."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping

from okrsync.log import redact

STATUS_MAX = 400  # characters: systemctl status shows one line


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # '@' marks a socket in Linux's abstract namespace.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        watchdog_for_us = usec.isdigit() and (not pid or pid == str(os.getpid()))
        self.watchdog_interval = int(usec) / 2e6 if watchdog_for_us else None
        self._last_ping = 0.0

    def send(self, *lines: str) -> bool:
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self.address)
                sock.sendall("\n".join(lines).encode())
        except OSError:
            return False  # systemd went away; nothing useful to do about it
        return True

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={one_line(status)}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={one_line(status)}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def watchdog_if_due(self) -> None:
        """WATCHDOG=1 when half of systemd's watchdog interval has passed since the last."""
        every = self.watchdog_interval
        if every is not None and time.monotonic() - self._last_ping >= every:
            self.watchdog()
            self._last_ping = time.monotonic()

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")


def one_line(text: str) -> str:
    """A STATUS= value: one line (a newline would start another sd_notify assignment), no
    secret, and short."""
    line = " ".join(redact(text).split())
    return line if len(line) <= STATUS_MAX else line[: STATUS_MAX - 3] + "..."
