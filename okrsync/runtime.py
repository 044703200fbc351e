"""The one place that builds okrsync's pieces from Settings: the Neo4j connection, the OKR API
client, the state store, the optional Jira client, and the sync cycle with its follow-up steps.
Every command uses it; what it opens, it closes (use it as a context manager).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from okrsync import log
from okrsync.api import MIB, AnswerLimits, OkrApiClient
from okrsync.config import Settings, lease_ttl, require_token
from okrsync.errors import ConfigError, OkrsyncError
from okrsync.graph import Graph, History, Mirror
from okrsync.graph.lease import Lease
from okrsync.jira import JiraClient
from okrsync.progress import SILENT, Progress
from okrsync.state import StateStore
from okrsync.steps import Step
from okrsync.steps.feeds import CheckinFeed, CommentFeed
from okrsync.steps.jira import JiraEnrichment
from okrsync.steps.journal import ChangeJournal
from okrsync.sync import MirrorCycle, SyncCycle


def register_secrets(settings: Settings) -> None:
    """Every secret of these settings, for the log redactor."""
    secrets = (settings.api_token, settings.neo4j_password, settings.jira_api_token)
    log.add_secrets(*(s.reveal() for s in secrets if s))


def open_graph(settings: Settings) -> Graph:
    """A verified connection to the configured Neo4j database."""
    if not settings.neo4j_password:
        raise ConfigError(
            "neo4j_password is not set: set NEO4J_PASSWORD, neo4j_password_file,"
            " or the neo4j-password credential"
        )
    graph = Graph.connect(
        settings.neo4j_uri,
        settings.neo4j_username,
        settings.neo4j_password.reveal(),
        settings.neo4j_database,
        trusted_ca=settings.neo4j_trusted_ca,
        transaction_timeout=settings.neo4j_transaction_timeout,
    )
    try:
        graph.verify()
    except OkrsyncError:
        graph.close()
        raise
    return graph


def answer_limits(settings: Settings) -> AnswerLimits:
    return AnswerLimits(settings.http_deadline, settings.max_answer_mib * MIB)


def open_client(settings: Settings) -> OkrApiClient:
    return OkrApiClient(
        settings.base_url,
        require_token(settings),
        timeout=settings.http_timeout,
        limits=answer_limits(settings),
    )


def open_jira(settings: Settings) -> JiraClient | None:
    """The Jira client for the optional Issue enrichment, when it is configured."""
    if not (settings.jira_url and settings.jira_email and settings.jira_api_token):
        return None
    return JiraClient(
        settings.jira_url,
        settings.jira_email,
        settings.jira_api_token,
        timeout=settings.http_timeout,
        limits=answer_limits(settings),
    )


def follow_up_steps(
    settings: Settings,
    client: OkrApiClient,
    history: History,
    store: StateStore,
    jira: JiraClient | None,
    now: Callable[[], datetime],
) -> list[Step]:
    """The steps after the mirror, in order, as the settings ask for them."""
    steps: list[Step] = []
    if settings.journal:
        steps.append(ChangeJournal(history, settings.journal_retention_days, now))
    if settings.checkins:
        steps.append(CheckinFeed(client, history, store, settings.batch_size))
    if settings.comments:
        steps.append(CommentFeed(client, history, store, settings.batch_size))
    if jira is not None:
        steps.append(JiraEnrichment(jira, history))
    return steps


def build_cycle(
    settings: Settings,
    client: OkrApiClient,
    graph: Graph,
    store: StateStore,
    jira: JiraClient | None = None,
    *,
    before_batch: Callable[[str], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    writer: str | None = None,
    progress: Progress = SILENT,
) -> SyncCycle:
    """The sync cycle over connections that are already open."""
    mirror = Mirror(graph, settings.org, settings.batch_size, before_batch)
    history = History(graph, settings.org, settings.batch_size)
    steps = follow_up_steps(settings, client, history, store, jira, now)
    return SyncCycle(MirrorCycle(client, mirror, store, settings, progress), steps, now, writer)


@dataclass
class Runtime:
    """Everything a sync needs, open. `close()` (or leaving the `with`) closes it all."""

    settings: Settings
    client: OkrApiClient
    graph: Graph
    store: StateStore
    jira: JiraClient | None = None
    before_batch: Callable[[str], None] | None = None
    holder: str | None = None  # the write lease's holder id (one per process)
    progress: Progress = SILENT  # bars on a terminal (okrsync sync), during long cycles
    cycle: SyncCycle = field(init=False)
    lease: Lease = field(init=False)

    def __post_init__(self) -> None:
        self.configure(self.settings)

    def configure(self, settings: Settings) -> None:
        """Apply settings that need no new connection (the daemon's reload)."""
        self.settings = settings
        self.lease = Lease(self.graph, settings.org, lease_ttl(settings), self.holder)
        self.cycle = build_cycle(
            settings,
            self.client,
            self.graph,
            self.store,
            self.jira,
            before_batch=self.before_batch,
            writer=self.lease.holder,
            progress=self.progress,
        )

    def close(self) -> None:
        self.client.close()
        self.graph.close()
        if self.jira is not None:
            self.jira.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_runtime(
    settings: Settings,
    *,
    ping_api: bool = False,
    before_batch: Callable[[str], None] | None = None,
    holder: str | None = None,
    progress: Progress = SILENT,
) -> Runtime:
    """Open every connection the settings describe; on a failure close what was opened.
    `ping_api`: one cheap authenticated request first (the daemon's start-up check)."""
    store = StateStore(settings.state_dir, settings.org)
    store.ensure()
    client = open_client(settings)
    try:
        if ping_api:
            client.ping()
        graph = open_graph(settings)
    except BaseException:
        client.close()
        raise
    return Runtime(
        settings, client, graph, store, open_jira(settings), before_batch, holder, progress
    )
