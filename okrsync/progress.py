"""Progress of long work (a first load, a reconcile) for a person at a terminal: entities
fetched, rows written, their rate and the time left, drawn by rich on stderr.

Only `okrsync sync` on a terminal draws it (`for_stream`); off a terminal (a pipe, journald,
the daemon) every call is a no-op, so nothing of it ever reaches a JSON log. While it is drawn,
rich prints what is written to sys.stderr (okrsync's log lines, see log.py) above the bars.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Literal, Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.progress import Task as RichTask
from rich.text import Text

Task = Literal["fetched", "written"]
_LABELS: dict[Task, str] = {"fetched": "entities fetched", "written": "rows written"}


class Progress(Protocol):
    """What a cycle reports while it works; every call is cheap and thread-safe."""

    def shown(self, what: str) -> AbstractContextManager[None]:
        """Draw while the block runs (`what`: the work, e.g. "first load")."""
        ...

    def expect(self, task: Task, total: int | None) -> None:
        """How many there will be (None: not known yet)."""
        ...

    def advance(self, task: Task, n: int = 1) -> None: ...


class Silent:
    """Off a terminal: nothing at all."""

    def shown(self, what: str) -> AbstractContextManager[None]:
        return nullcontext()

    def expect(self, task: Task, total: int | None) -> None:
        pass

    def advance(self, task: Task, n: int = 1) -> None:
        pass


SILENT = Silent()


class _Rate(ProgressColumn):
    """Items a second, over rich's recent samples."""

    def render(self, task: RichTask) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "")


class TerminalProgress:
    """Two bars on the terminal: entities fetched (and transformed) and rows written (nodes and
    relationships), each with its count, rate and time left."""

    def __init__(self, stream: TextIO) -> None:
        self._console = Console(file=stream)
        self._bars: RichProgress | None = None
        self._tasks: dict[Task, TaskID] = {}

    @contextmanager
    def shown(self, what: str) -> Iterator[None]:
        bars = RichProgress(
            TextColumn(f"{what}: {{task.description}}"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self._console,
            redirect_stderr=True,
            redirect_stdout=False,
        )
        self._tasks = {t: bars.add_task(label, total=None) for t, label in _LABELS.items()}
        self._bars = bars
        with bars:
            try:
                yield
            finally:
                self._bars = None
                for task in bars.tasks:  # what was done is the whole: an estimate may be short
                    bars.update(task.id, total=task.completed)

    def expect(self, task: Task, total: int | None) -> None:
        if self._bars is not None:
            self._bars.update(self._tasks[task], total=total)

    def advance(self, task: Task, n: int = 1) -> None:
        if self._bars is not None:
            self._bars.advance(self._tasks[task], n)


def for_stream(stream: TextIO) -> Progress:
    """Bars on a terminal, nothing anywhere else."""
    return TerminalProgress(stream) if stream.isatty() else SILENT
