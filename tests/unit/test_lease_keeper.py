"""The daemon's lease heartbeat never holds up its main loop (watchdog pings, stop requests)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from okrsync.daemon import LeaseKeeper


class SlowLease:
    """A lease whose renewal hangs as a write does while Neo4j is unreachable."""

    def __init__(self) -> None:
        self.held = True
        self.ttl = 3.0
        self.acquiring = threading.Event()
        self.unblock = threading.Event()
        self.acquired = 0
        self.released = 0

    def acquire(self) -> None:
        self.acquiring.set()
        self.unblock.wait(10)
        self.acquired += 1

    def release(self) -> None:
        self.released += 1


def test_a_hanging_renewal_does_not_block_the_caller() -> None:
    lease = SlowLease()
    runtime = SimpleNamespace(lease=lease)
    keeper = LeaseKeeper()
    started = time.monotonic()
    keeper.renew_if_due(runtime)  # type: ignore[arg-type]
    assert lease.acquiring.wait(5)
    keeper.renewed = 0.0  # due again: still one renewal in flight, not a second
    keeper.renew_if_due(runtime)  # type: ignore[arg-type]
    assert time.monotonic() - started < 1.0
    lease.unblock.set()
    keeper.release(runtime)  # type: ignore[arg-type]
    assert (lease.acquired, lease.released) == (1, 1)


def test_release_waits_for_a_renewal_in_flight() -> None:
    """A renewal finishing after the release would take the lease back."""
    lease = SlowLease()
    runtime = SimpleNamespace(lease=lease)
    keeper = LeaseKeeper()
    keeper.renew_if_due(runtime)  # type: ignore[arg-type]
    assert lease.acquiring.wait(5)
    threading.Timer(0.3, lease.unblock.set).start()
    keeper.release(runtime)  # type: ignore[arg-type]
    assert lease.acquired == 1  # the renewal ended before the release ran
    assert lease.released == 1
