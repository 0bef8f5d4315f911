"""Progress bars for the long commands (audit, generate, sheets export), on stderr.

Shown when stderr is a terminal (stdout stays clean for pipes and ``--format json``) or when
``JOURNAL_RULES_PROGRESS=always``; never with ``JOURNAL_RULES_PROGRESS=never``. Each shows how
many of how many, the rate and the time left."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

PROGRESS_ENV = "JOURNAL_RULES_PROGRESS"


class _Rate(ProgressColumn):
    """Items per second, with the items' name."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s")


def _wanted(quiet: bool, console: Console) -> bool:
    setting = os.environ.get(PROGRESS_ENV, "auto").lower()
    if quiet or setting == "never":
        return False
    return setting == "always" or console.is_terminal


@contextlib.contextmanager
def progress_bar(unit: str, *, quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """A callback ``(description, done, total)`` drawing one bar on stderr (a no-op when no bar
    is wanted); the bar is cleared when the block ends."""
    console = Console(stderr=True, force_terminal=os.environ.get(PROGRESS_ENV) == "always")
    if not _wanted(quiet, console):
        yield lambda description, done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               _Rate(unit), TextColumn("eta"), TimeRemainingColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(description: str, done: int, total: int) -> None:
            task = tasks.get(description)
            if task is None:
                task = tasks[description] = bar.add_task(description, total=total)
            bar.update(task, completed=done, total=total)

        yield update
