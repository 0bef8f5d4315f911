"""The baselines of benchmarks/run.py: what the audit is measured against.

- :func:`deadline_findings`: a plain Python single pass over the events of a store that computes
  the deadline findings of the ruleset's ``control_end`` deadline rules (T11 closing, P10 grade
  sheets), with the ruleset's own parameters and calendar: the floor any audit pays to read the
  same events and judge them.
- :func:`read_floor`: every event read, nothing else.
- :func:`durable_one_event_per_mark`: durable_rules used naively, the library's own compiled
  rules fed one fact per mark cell, which the design rules out; measured on a sample and
  projected.

Benchmarks may use private modules; the library keeps durable_rules behind ``_engine``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import journal_rules as jr
from journal_rules._rules._calendar import Calendar
from journal_rules._rules._engine import engine_for
from journal_rules._storage import read_streams

JOURNAL = "journal:"
CALENDAR_STREAM = "registry:calendar"
CURRICULUM_STREAM = "registry:curriculum"


def read_floor(store: jr.Storage) -> int:
    """Read every event of the store through the path the audit reads by (one ordered scan
    where the store has one), and nothing else: the floor under any audit. Returns the count."""
    events = 0
    for _, stream in read_streams(store):
        events += len(stream)
    return events


def _cells(store: jr.Storage, calendar: Calendar) -> Iterator[tuple[str, str, str, date, int]]:
    """(journal, control, student, class day, lag in days) of every mark cell, journal by
    journal."""
    for name, events in read_streams(store, JOURNAL):
        for event in events:
            if event.type != "marks_entered":
                continue
            day = calendar.local_date(event.recorded_at)
            for cell in event.data["cells"]:
                on = date.fromisoformat(cell["on"])
                yield name, event.data["control"], cell["student"], on, (day - on).days


def durable_one_event_per_mark(store: jr.Storage, ruleset: jr.Ruleset,
                               budget: float) -> tuple[float, int, int]:
    """The naive use of durable_rules, honestly: the library's own compiled rules of the
    ruleset (``engine_for``, the same host the audit uses, with no extra action of any kind) fed
    one fact per mark cell, the daily-marking rule's fact for that one cell, one evaluation per
    journal, for about ``budget`` seconds. Returns (cells per second, cells fed, late cells)."""
    rule = next(r for r in ruleset.rules if r.kind_name == "daily_marking")
    engine = engine_for(ruleset.content_hash, ruleset.rules)
    calendar = Calendar(ruleset.calendar)
    fed = late = 0
    facts: list[dict[str, Any]] = []
    current: str | None = None
    started = time.perf_counter()

    def evaluate() -> int:
        return sum(f.outcome == "violation" for f in engine.evaluate(facts))

    for n, (journal, control, student, on, lag) in enumerate(_cells(store, calendar)):
        if journal != current:
            if facts:
                late += evaluate()
                fed += len(facts)
                facts = []
                if time.perf_counter() - started > budget:
                    break
            current = journal
        facts.append({"id": f"m{n}", "rule": rule.id, "journal": journal, "control": control,
                      "student": student, "day": on.isoformat(), "course_days": 0,
                      "marked": 1, "lag": lag, "waited": 0})
    else:
        if facts:
            late += evaluate()
            fed += len(facts)
    seconds = time.perf_counter() - started
    return fed / seconds, fed, late
