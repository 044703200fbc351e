"""Neo4j session plumbing: connecting, managed transactions, error translation, batched writes.

Every write goes through `session.execute_write`, so transient errors (leader switch, deadlock,
a restarting server) are retried by the driver; every statement okrsync sends is idempotent
(MERGE, SET, DETACH DELETE), so a retried or repeated batch is harmless. Every transaction is
named (okrsync, its version, the cycle) for SHOW TRANSACTIONS and query.log, and bounded by the
server's transaction timeout.
"""

from __future__ import annotations

import logging
import ssl
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import structlog
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from okrsync import __version__
from okrsync.addresses import without_userinfo
from okrsync.errors import GraphError, LeaseLost
from okrsync.graph.statements import cypher

R = TypeVar("R")
DEFAULT_TRANSACTION_TIMEOUT = 300.0

COUNTER_FIELDS = (
    "nodes_created",
    "nodes_deleted",
    "relationships_created",
    "relationships_deleted",
    "properties_set",
    "labels_added",
    "labels_removed",
)


@dataclass
class WriteStats:
    """What Neo4j reported for a series of writes."""

    counters: Counter[str] = field(default_factory=Counter)
    statements: int = 0
    transactions: int = 0

    def add(self, summary: neo4j.ResultSummary) -> None:
        c = summary.counters
        for name in COUNTER_FIELDS:
            self.counters[name] += getattr(c, name)
        self.statements += 1

    def merge(self, other: WriteStats) -> None:
        self.counters.update(other.counters)
        self.statements += other.statements
        self.transactions += other.transactions

    @property
    def wrote_nothing(self) -> bool:
        return not any(self.counters.values())


Statement = tuple[str, Mapping[str, Any]]


class Graph:
    """One Neo4j database: sessions, managed transactions, reads."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None = None,
        transaction_timeout: float = DEFAULT_TRANSACTION_TIMEOUT,
    ) -> None:
        self.driver = driver
        self.database = database
        self.transaction_timeout = transaction_timeout
        # While a write lease is held (graph/lease.py): the statement that opens every write
        # transaction, checking and extending it.
        self.fence: Statement | None = None

    @classmethod
    def connect(
        cls,
        uri: str,
        username: str,
        password: str,
        database: str | None = None,
        *,
        trusted_ca: Path | None = None,
        transaction_timeout: float = DEFAULT_TRANSACTION_TIMEOUT,
        **driver_config: Any,
    ) -> Graph:
        """`trusted_ca`: with a +s URI, the CA the server's certificate must be signed by."""
        if trusted_ca is not None:
            uri = _trusting(uri, trusted_ca, driver_config)
        try:
            # Server notifications (e.g. "label does not exist" on an empty database) are noise
            # for a mirror that creates its labels itself.
            driver_config.setdefault("notifications_min_severity", "OFF")
            # Ride out a leader switch or a restart, but fail a cycle within a bounded time:
            # the daemon retries whole cycles with its own backoff.
            driver_config.setdefault("max_transaction_retry_time", 15.0)
            driver = neo4j.GraphDatabase.driver(uri, auth=(username, password), **driver_config)
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            # The driver's message quotes the URI, with any password it holds.
            shown = without_userinfo(uri)
            raise GraphError(
                f"neo4j_uri {shown!r} is not usable: {str(exc).replace(uri, shown)}"
            ) from None
        return cls(driver, database, transaction_timeout)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Connect and authenticate once; a GraphError says what is wrong in one line."""
        try:
            with _driver_errors_unlogged():
                self.driver.verify_connectivity()
        except AuthError:
            raise GraphError(
                "Neo4j refused the credentials (check NEO4J_USERNAME/NEO4J_PASSWORD)"
            ) from None
        except ServiceUnavailable as exc:
            refused = _certificate_refused(exc)
            raise GraphError(refused or f"Neo4j is unreachable: {_reasons(exc)}") from None
        except Neo4jError as exc:
            raise GraphError(f"Neo4j: {exc.message or exc}") from None

    def session(self, **kw: Any) -> neo4j.Session:
        return self.driver.session(database=self.database, **kw)

    def unit(self, work: Callable[..., R]) -> Callable[..., R]:
        """`work` as a named, bounded transaction function (session.execute_read/_write)."""
        named: Callable[..., R] = neo4j.unit_of_work(
            metadata=transaction_metadata(), timeout=self.transaction_timeout
        )(work)
        return named

    def write(
        self,
        query: str,
        stats: WriteStats | None = None,
        *,
        fenced: bool = True,
        returning: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        """One statement in its own managed transaction; `returning` receives its rows.
        `fenced=False`: not under the lease (the lease itself, schema changes)."""
        self.write_all([(query, params)], stats, fenced=fenced, returning=returning)

    def write_all(
        self,
        statements: Sequence[Statement],
        stats: WriteStats | None,
        *,
        fenced: bool = True,
        returning: list[dict[str, Any]] | None = None,
    ) -> None:
        """Statements in order, in one managed transaction (retried whole by the driver),
        opened by the lease's fence when one is held: it raises LeaseLost, before anything is
        written, when another holder took the lease."""
        fence = self.fence if fenced else None

        def work(tx: neo4j.ManagedTransaction) -> list[neo4j.ResultSummary]:
            if returning is not None:
                returning.clear()  # a retried transaction's rows replace the failed attempt's
            if fence is not None and tx.run(fence[0], **fence[1]).single(strict=True)[0] == 0:
                raise LeaseLost("another okrsync took this organisation's write lease over")
            summaries = []
            for query, params in statements:
                result = tx.run(query, **params)
                if returning is not None:
                    returning.extend(record.data() for record in result)
                summaries.append(result.consume())
            return summaries

        with as_graph_errors("write"), self.session() as session:
            summaries = session.execute_write(self.unit(work))
        if stats is not None:
            for summary in summaries:
                stats.add(summary)
            stats.transactions += 1

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, **params)]

        with (
            as_graph_errors("read"),
            self.session(default_access_mode=neo4j.READ_ACCESS) as session,
        ):
            return session.execute_read(self.unit(work))

    def check_write(self) -> None:
        """Create and delete a node: raises GraphError when writes are not permitted."""
        stats = WriteStats()
        self.write(cypher("check_write"), stats)
        if stats.counters["nodes_created"] != 1:
            raise GraphError("Neo4j accepted the write check but created nothing")


class BatchWriter:
    """The one batched-write helper: statements with lists of rows, cut into batches of at most
    `batch_size` rows, packed into managed transactions of at most `batch_size` rows in all.

    A small change therefore commits once (readers never see half of it), and a large one in
    bounded transactions the heap can hold. Rows are built a batch at a time (`row`), so a
    large write never holds all of them. `before_batch` is called with the statement's name
    before each batch (the daemon abandons a cycle there when asked to stop), `committed` with
    the number of rows of each committed transaction (progress bars).
    Use as a context manager: leaving without an error commits what is still open.
    """

    def __init__(
        self,
        graph: Graph,
        batch_size: int,
        stats: WriteStats | None = None,
        before_batch: Callable[[str], None] | None = None,
        committed: Callable[[int], None] | None = None,
    ) -> None:
        self.graph = graph
        self.batch_size = batch_size
        self.stats = stats if stats is not None else WriteStats()
        self.before_batch = before_batch
        self.committed = committed
        self._open: list[Statement] = []
        self._rows = 0

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.commit()

    def add(
        self,
        name: str,
        query: str,
        items: Sequence[Any],
        row: Callable[[Any], Any] = lambda item: item,
        param: str = "rows",
        **extra: Any,
    ) -> None:
        for batch in batches(items, self.batch_size):
            if self.before_batch is not None:
                self.before_batch(name)
            if self._rows + len(batch) > self.batch_size:
                self.commit()
            self._open.append((query, {param: [row(item) for item in batch], **extra}))
            self._rows += len(batch)

    def commit(self) -> None:
        if self._open:
            self.graph.write_all(self._open, self.stats)
            if self.committed is not None:
                self.committed(self._rows)
            self._open = []
            self._rows = 0


def batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of at most `size` items from any iterable."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def transaction_metadata() -> dict[str, str]:
    """What names okrsync's transactions in SHOW TRANSACTIONS and query.log: the application,
    its version and the cycle (bound to the log context by the cycle), when there is one."""
    metadata = {"app": "okrsync", "version": __version__}
    cycle = structlog.contextvars.get_contextvars().get("cycle")
    if cycle is not None:
        metadata["cycle"] = str(cycle)
    return metadata


@contextmanager
def as_graph_errors(action: str) -> Iterator[None]:
    """Driver exceptions as one-line GraphErrors saying what was being done."""
    try:
        yield
    except (ServiceUnavailable, neo4j.exceptions.SessionExpired) as exc:
        raise GraphError(f"Neo4j became unreachable during a {action}: {one_line(exc)}") from None
    except AuthError:
        raise GraphError("Neo4j refused the credentials") from None
    except Neo4jError as exc:
        raise GraphError(f"Neo4j rejected a {action}: {exc.code}: {exc.message}") from None


def _trusting(uri: str, trusted_ca: Path, driver_config: dict[str, Any]) -> str:
    """The driver takes a CA only with an unsuffixed scheme, encryption asked for in the config:
    bolt+s://host becomes bolt://host, encrypted, trusting that CA alone."""
    scheme, sep, rest = uri.partition("://")
    driver_config["encrypted"] = True
    driver_config["trusted_certificates"] = neo4j.TrustCustomCAs(str(trusted_ca))
    return f"{scheme.removesuffix('+s')}{sep}{rest}"


@contextmanager
def _driver_errors_unlogged() -> Iterator[None]:
    """The routing pool logs an error before raising; the GraphError made of what it raises
    says it all, in one line."""
    pool = logging.getLogger("neo4j.pool")
    level = pool.level
    pool.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        pool.setLevel(level)


def _origins(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it came from: causes, contexts, the members of exception groups (the
    routing driver groups each router's failure)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


def _reasons(exc: BaseException) -> str:
    """The driver's message, with each router's failure when routing found no router."""
    cause = exc.__cause__
    if isinstance(cause, BaseExceptionGroup):
        return "; ".join([one_line(exc), *(one_line(e) for e in cause.exceptions)])
    return one_line(exc)


_HOSTNAME_MISMATCH = 62  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH


def _certificate_refused(exc: BaseException) -> str | None:
    """What to do about the server's certificate, when its verification is what `exc` came
    from (the driver's own message only says the connection failed)."""
    seen = next((e for e in _origins(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    if seen is None:
        return None
    if seen.verify_code == _HOSTNAME_MISMATCH:
        return (
            f"Neo4j's TLS certificate is for another name ({seen.verify_message}): use a host"
            " name in neo4j_uri that the certificate holds"
        )
    return (
        f"Neo4j's TLS certificate is not trusted ({seen.verify_message}): set neo4j_trusted_ca"
        " to the CA certificate that signed it"
    )


def one_line(exc: BaseException) -> str:
    """Driver messages span lines; a user-facing error is one."""
    return " ".join(str(exc).split())
