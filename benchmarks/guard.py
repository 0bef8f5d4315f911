"""The guard benchmark of benchmarks/run.py: decisions on a realistic mix of ACCEPTED commands.

A generated term is cut at a moment in its middle: every stream keeps what was recorded before
it. The commands are what the sampled journals really recorded after the cut, in time order
(marks entered by their teacher or a substitute, corrections with their reasons, closings, grade
sheets, notes, visas, approvals, reopenings), each replayed as its actor at its own time. So the
guard decides what it decides in daily use, and nearly every command is allowed (the generator
only records commands the guard let through).

Two figures per store: ``check`` (the decision alone, ``Gradebook.check``) and ``execute`` (the
decision plus the durable append, ``Gradebook.execute``), on memory, TinyDB and SQLite.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import journal_rules as jr
from journal_rules._events import Stream, structure_payload
from journal_rules._storage import read_streams
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    CorrectMark,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    HoldControl,
    Reopen,
    SubmitNote,
)
from journal_rules.policy import RulesGuard
from journal_rules.storage import StoredEvent

JOURNAL = "journal:"


def command_of(event: StoredEvent) -> Any | None:
    """The command that recorded ``event`` (None for kinds the benchmark does not replay)."""
    journal = event.stream[len(JOURNAL):]
    data = event.data
    kind = event.type
    if kind == "marks_entered":
        cells = data["cells"]
        return EnterMarks(journal, event.occurred_on or date.fromisoformat(cells[0]["on"]),
                             {c["student"]: c["mark"] for c in cells}, control=data["control"])
    if kind == "mark_corrected":
        return CorrectMark(journal, data["student"], date.fromisoformat(data["on"]), data["new"],
                              reason=event.reason, control=data["control"])
    if kind == "journal_closed":
        return CloseJournal(journal, data["control"])
    if kind == "grade_sheet_formed":
        return FormGradeSheet(journal, data["control"], kind=data["kind"])
    if kind == "note_submitted":
        return SubmitNote(journal, data["control"],
                             structure_payload(kind, data).note)
    if kind == "visa_given":
        return GiveVisa(journal, data["control"], data["role"])
    if kind == "note_approved":
        return ApproveNote(journal, data["control"])
    if kind == "journal_reopened":
        return Reopen(journal, data["control"])
    if kind == "control_held":
        return HoldControl(journal, data["control"], date.fromisoformat(data["on"]))
    return None


class Workload:
    """The store as it stood at the cut, and the commands recorded after it."""

    def __init__(self, source: jr.Storage, *, journals: int, seed: int = 1) -> None:
        everything = list(read_streams(source))
        journal_streams = [(n, e) for n, e in everything if n.startswith(JOURNAL)]
        moments = sorted(e.recorded_at for _, events in journal_streams for e in events)
        self.cut: datetime = moments[len(moments) // 2]
        rng = random.Random(seed)
        live = [(n, e) for n, e in journal_streams
                if e[0].recorded_at < self.cut <= e[-1].recorded_at]
        chosen = dict(rng.sample(live, min(journals, len(live))))
        self.before: list[tuple[str, list[StoredEvent]]] = []
        after: list[StoredEvent] = []
        for name, events in everything:
            if name.startswith(JOURNAL) and name not in chosen:
                continue
            kept = [e for e in events if e.recorded_at < self.cut]
            if kept:
                self.before.append((name, kept))
            if name in chosen:
                after += [e for e in events if e.recorded_at >= self.cut]
        after.sort(key=lambda e: (e.recorded_at, e.stream, e.version))
        self.commands: list[tuple[datetime, str, Any]] = [
            (e.recorded_at, e.actor, c) for e in after if (c := command_of(e)) is not None]
        self.registry_streams = Stream.ALL

    def mix(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, _, command in self.commands:
            counts[type(command).__name__] = counts.get(type(command).__name__, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    def fill(self, store: jr.Storage) -> None:
        for name, events in self.before:
            for start in range(0, len(events), 5_000):
                store.append(name, start, events[start:start + 5_000])


def replay(workload: Workload, store: jr.Storage, ruleset: jr.Ruleset
           ) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Every command at its own time: its decision timed alone (``check``), then done
    (``execute``: the decision again and the durable append), so the next command meets the
    journal as it really stood. Returns the seconds of each check and each execute by command
    kind, and how many were refused."""
    clock = jr.ManualClock(workload.cut)
    book = jr.Gradebook(store, ruleset.policy, clock=clock, guards=[RulesGuard(ruleset)])
    for journal in {c.journal for _, _, c in workload.commands}:
        book.journal(journal)  # the first look replays the stream: not a decision's cost
    checks: dict[str, list[float]] = {}
    executes: dict[str, list[float]] = {}
    refused = 0
    for when, actor, command in workload.commands:
        clock.set(when)
        kind = type(command).__name__
        started = time.perf_counter()
        decision = book.check(actor, command)
        checked = time.perf_counter()
        checks.setdefault(kind, []).append(checked - started)
        if not decision.allowed:
            refused += 1
            continue
        book.execute(actor, command)
        executes.setdefault(kind, []).append(time.perf_counter() - checked)
    return checks, executes, refused


def percentiles(samples: Sequence[float] | dict[str, list[float]]) -> tuple[float, float]:
    """(p50, p99) of the samples (of every kind together)."""
    if isinstance(samples, dict):
        samples = [s for values in samples.values() for s in values]
    ordered = sorted(samples)
    return (ordered[len(ordered) // 2],
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def stores(folder: str) -> Iterator[tuple[str, jr.Storage]]:
    yield "memory", jr.MemoryStore()
    yield "TinyDB", jr.open_store(f"tinydb://{folder}/guard-tiny")
    yield "SQLite", jr.open_store(f"sqlite:///{folder}/guard.db")
