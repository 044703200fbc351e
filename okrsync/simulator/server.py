"""An HTTP server that answers the OKR for Jira read endpoints from an Org, over real sockets.

It serves only what openapi.json describes under /api/v2/api-export/. A small control surface
under /_sim/ (not part of the vendor API) lets tests and the chaos run evolve the org, swap
the token and inject faults while the server runs in another process.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

from okrsync.simulator.answers import Answers, BadRequest, empty_answer
from okrsync.simulator.org import Org
from okrsync.simulator.wire import Json

# Compact JSON as json.dumps(separators=(",", ":")) writes it (byte for byte on ASCII; raw UTF-8
# rather than \u escapes otherwise), 4-5x faster: at 100k entities the two exports are 100 MB
# and 72 MB, which cost the simulator 1.1 s + 0.8 s a cycle with json.
encode_json = msgspec.json.Encoder().encode

FAULTS = ("429", "500", "502", "503", "slow", "truncated", "html", "401", "403", "empty", "reset")


@dataclass
class Controls:
    """What tests can change while the server runs."""

    token: str | None = None  # None: any non-empty token is accepted
    empty_tenant: bool = False
    slow_seconds: float = 5.0
    faults: deque[str] = field(default_factory=deque)
    requests: int = 0
    served: dict[str, int] = field(default_factory=dict)


class Simulator:
    """The org plus its controls, guarded by one lock (requests are served in threads)."""

    def __init__(self, org: Org, token: str | None = None) -> None:
        self.org = org
        self.controls = Controls(token=token)
        self.lock = threading.RLock()
        self.answers = Answers(org)

    def push_faults(self, *faults: str) -> None:
        for fault in faults:
            if fault.split(":")[0] not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        with self.lock:
            self.controls.faults.extend(faults)

    def mutate(self, change: Callable[[Org], Any]) -> Any:
        with self.lock:
            return change(self.org)

    def churn(self, changes: int, every: float) -> threading.Thread:
        """A living org: `changes` random changes every `every` seconds, on a daemon thread."""

        def evolve() -> None:
            while True:
                time.sleep(every)
                self.mutate(lambda org: org.evolve(changes))

        thread = threading.Thread(target=evolve, name="churn", daemon=True)
        thread.start()
        return thread

    def export(self, path: str, query: dict[str, list[str]]) -> Json:
        """The vendor API's answer (the caller holds the lock)."""
        return self.answers.export(path, query)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, each answer waited for the
    # client's delayed ACK (40 ms a request).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are counted in controls, not printed

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, encode_json(payload))

    def do_GET(self) -> None:
        sim = self.server.sim
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path.startswith("/_sim/"):
            self._control_get(url.path)
            return
        with sim.lock:
            sim.controls.requests += 1
            sim.controls.served[url.path] = sim.controls.served.get(url.path, 0) + 1
            fault = sim.controls.faults.popleft() if sim.controls.faults else None
        if fault is not None and self._fault(fault):
            return
        token = self.headers.get("API-Token")
        if not token:
            self._json(400, {"message": "Missing API-Token header"})
            return
        expected = sim.controls.token
        if (expected is not None and token != expected) or fault == "401":
            self._json(401, {"message": "Invalid API token"})
            return
        try:
            # Encoded under the lock: the answer shares the org's own dicts (no copies), and
            # a concurrent change must not show half-applied in it.
            with sim.lock:
                if sim.controls.empty_tenant or fault == "empty":
                    body = encode_json(empty_answer(url.path))
                else:
                    body = encode_json(sim.export(url.path, query))
        except BadRequest as exc:
            self._json(400, {"message": str(exc)})
            return
        except LookupError:
            self._json(404, {"message": "Not found"})
            return
        if fault == "truncated":
            body = body[: max(1, len(body) // 2)]
        self._send(200, body)

    def _fault(self, fault: str) -> bool:
        """Serve the fault; True when the request was answered by it."""
        name, _, arg = fault.partition(":")
        if name in ("429", "500", "502", "503", "403"):
            self._json(int(name), {"message": f"simulated {name}"})
            return True
        if name == "html":
            page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            self._send(200, page, "text/html")
            return True
        if name == "slow":
            time.sleep(float(arg) if arg else self.server.sim.controls.slow_seconds)
            return False
        if name == "reset":
            self.close_connection = True
            self.connection.close()
            return True
        return False  # 401, empty, truncated: applied on the normal path

    def _control_get(self, path: str) -> None:
        sim = self.server.sim
        if path == "/_sim/org":
            with sim.lock:
                children, krs_of = sim.org.indexes()
                payload = {
                    "okrs": [
                        sim.org.objective_view(o, children, krs_of) for o in sim.org.objectives
                    ],
                    "krs": list(sim.org.key_results.values()),
                    "teams": list(sim.org.teams.values()),
                    "periods": list(sim.org.periods.values()),
                    "labels": list(sim.org.labels.values()),
                    "okrTypes": list(sim.org.types.values()),
                }
            self._json(200, payload)
        elif path == "/_sim/stats":
            with sim.lock:
                self._json(
                    200,
                    {
                        "requests": sim.controls.requests,
                        "served": sim.controls.served,
                        "pending_faults": list(sim.controls.faults),
                        "generation": sim.org.generation,
                    },
                )
        else:
            self._json(404, {"message": "Not found"})

    def do_POST(self) -> None:
        sim = self.server.sim
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if path == "/_sim/evolve":
                done = sim.mutate(lambda org: org.evolve(int(body.get("changes", 5))))
                self._json(200, {"changes": done})
            elif path == "/_sim/faults":
                sim.push_faults(*body.get("faults", []))
                self._json(200, {"pending": len(sim.controls.faults)})
            elif path == "/_sim/controls":
                with sim.lock:
                    if "token" in body:
                        sim.controls.token = body["token"]
                    if "empty_tenant" in body:
                        sim.controls.empty_tenant = bool(body["empty_tenant"])
                    if "slow_seconds" in body:
                        sim.controls.slow_seconds = float(body["slow_seconds"])
                    if body.get("clear_faults"):
                        sim.controls.faults.clear()
                self._json(200, {"ok": True})
            else:
                self._json(404, {"message": "Not found"})
        except (ValueError, TypeError, AttributeError) as exc:
            self._json(400, {"message": str(exc)})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer (timeouts, chaos tests) is not our error

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up on kept-alive clients too, as a server that went away would."""
        with self.connections_lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class SimulatorServer:
    """The simulator on a real socket, in a background thread: `with SimulatorServer(org) as s:`."""

    def __init__(
        self,
        org: Org | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
    ) -> None:
        self.sim = Simulator(org or Org(), token=token)
        self._server = _Server((host, port), self.sim)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def org(self) -> Org:
        return self.sim.org

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="okr-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
