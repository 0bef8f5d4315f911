"""The library's exceptions: one root, each carrying structured data as well as a message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._decision import Refusal


class JournalRulesError(Exception):
    """The root of every error this library raises on purpose."""


class InvalidInput(JournalRulesError, ValueError):
    """Data handed to the library is malformed; every problem is listed, nothing was changed.

    ``problems`` holds one :class:`Problem` per bad field, row or value, so a caller can show them
    all at once (as cattrs' exception groups do) instead of fixing them one run at a time.
    """

    def __init__(self, what: str, problems: Sequence[Problem]) -> None:
        self.what = what
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what}: {len(self.problems)} problem(s)\n{lines}")


class Problem:
    """One thing wrong with an input: where (file, line, path, row, column) and why."""

    __slots__ = ("column", "file", "line", "message", "path", "row", "suggestion")

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        file: str | None = None,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.file = file
        self.line = line
        self.row = row
        self.column = column
        self.suggestion = suggestion

    def location(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "row": self.row,
            "column": self.column,
            "suggestion": self.suggestion,
        }

    def __str__(self) -> str:
        where = self.location()
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{where}: {self.message}{hint}" if where else f"{self.message}{hint}"

    def __repr__(self) -> str:
        return f"Problem({self!s})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().items()))


class CommandRefused(JournalRulesError):
    """The guard refused a command; ``refusals`` say which rules refused it and why."""

    def __init__(self, command: str, refusals: Sequence[Refusal]) -> None:
        self.command = command
        self.refusals = tuple(refusals)
        reasons = "; ".join(f"[{r.rule_id} {','.join(r.clauses)}] {r.message('en')}"
                            for r in self.refusals)
        super().__init__(f"{command} refused: {reasons}")


class UnknownEntity(JournalRulesError, LookupError):
    """A command or query names a person, group, unit or journal that the registry lacks."""

    def __init__(self, kind: str, key: str, suggestion: str | None = None) -> None:
        self.kind = kind
        self.key = key
        self.suggestion = suggestion
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"unknown {kind} {key!r}{hint}")


class StoreError(JournalRulesError):
    """The store failed or holds something it should not."""


class VersionConflict(StoreError):
    """An append expected a stream version that is no longer current (optimistic concurrency)."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream!r}: expected version {expected}, but the store is at {actual}"
        )


class StoreBusy(VersionConflict):
    """Other writers kept changing a stream while a command was retried (with jittered backoff)
    ``attempts`` times; nothing was written. Retry later; if it persists, fewer processes
    should write to the same journal or registry stream at once."""

    def __init__(self, stream: str, expected: int, actual: int, attempts: int) -> None:
        super().__init__(stream, expected, actual)
        self.attempts = attempts
        self.args = (
            f"stream {stream!r} kept changing under {attempts} attempts (other writers were "
            "appending to it); nothing was written. Try the command again in a moment; if this "
            "persists, fewer processes should write to the same journal at once",
        )


class ClockWentBack(JournalRulesError, ValueError):
    """An event would be recorded before one already recorded: before the head of its stream,
    or before the latest event a gradebook has seen. Nothing was written. Time only moves
    forward in the journal: check the machine's clock (or the clock passed to the gradebook)."""

    def __init__(self, where: str, latest: datetime, attempted: datetime) -> None:
        self.where = where
        self.latest = latest
        self.attempted = attempted
        super().__init__(
            f"{where}: an event recorded at {attempted.isoformat()} would come before one "
            f"already recorded at {latest.isoformat()}; time only moves forward in the journal "
            "(check the clock); nothing was written")


class TamperDetected(StoreError):
    """The hash chain of a stream does not hold: an event was edited, removed, inserted or moved."""

    def __init__(self, findings: Sequence[Mapping[str, Any]]) -> None:
        self.findings = tuple(findings)
        text = "; ".join(str(f["message"]) for f in self.findings)
        super().__init__(f"{len(self.findings)} integrity finding(s): {text}")


def suggest(name: str, choices: Iterable[str]) -> str | None:
    """The nearest valid name to a misspelt one, or None when nothing is close."""
    found = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None
