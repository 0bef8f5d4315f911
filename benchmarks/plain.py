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
from datetime import date, datetime
from typing import Any

import journal_rules as jr
from journal_rules._rules._audit import engine_for
from journal_rules._rules._calendar import Calendar, DayCounting
from journal_rules._rules.kinds import DeadlineRule
from journal_rules._storage import read_streams

JOURNAL = "journal:"
CALENDAR_STREAM = "registry:calendar"
CURRICULUM_STREAM = "registry:curriculum"


def deadline_rules(ruleset: jr.Ruleset) -> list[DeadlineRule]:
    """The ruleset's deadlines that run from a control's last day (close-deadline and the grade
    sheet deadline in the KazNMU ruleset)."""
    return [r for r in ruleset.rules if isinstance(r, DeadlineRule)
            and r.start == "control_end" and not r.optional and r.days is not None
            and r.end in ("closed", "grade_sheet") and r.current_per == "control"]


def local_day(calendar: Calendar, moment: datetime) -> date:
    return calendar.local_date(moment)


def deadline_findings(store: jr.Storage, ruleset: jr.Ruleset,
                      as_of: date) -> tuple[set[tuple[str, str, str]], int]:
    """(rule, journal, control) of every violated control_end deadline, and how many events were
    read. One pass over each journal stream, plain dicts, no engine."""
    rules = deadline_rules(ruleset)
    calendar = Calendar(ruleset.calendar)
    tz = calendar.tz
    # The term deadline calendars (T12), each with the day it was set: a control is judged by
    # the last one set by the day it was closed (or the as-of date), and takes its row of the
    # control's kind with the earliest close_by on or after the control's last day.
    term_close: dict[str, list[tuple[date, dict[str, list[date]]]]] = {}
    unit_kinds, events = _unit_kinds(store, tz, as_of)
    for event in store.read(CALENDAR_STREAM):
        events += 1
        if event.recorded_at.astimezone(tz).date() > as_of:
            break
        if event.type == "deadline_calendar_set":
            rows: dict[str, list[date]] = {}
            for row in event.data["entries"]:
                rows.setdefault(row["control_kind"], []).append(
                    date.fromisoformat(row["close_by"]))
            set_on = event.recorded_at.astimezone(tz).date()
            term_close.setdefault(event.data["term"], []).append((set_on, rows))
    found: set[tuple[str, str, str]] = set()
    for info in store.streams():
        if not info.name.startswith(JOURNAL):
            continue
        spec: dict[str, Any] | None = None
        closed: dict[str, date] = {}  # control -> first closing day
        sheets: dict[tuple[str, str], date] = {}  # (control, sheet kind) -> first day
        for event in store.read(info.name):
            events += 1
            day = event.recorded_at.astimezone(tz).date()
            if day > as_of:
                break
            kind = event.type
            if kind == "journal_opened":
                spec = event.data["spec"]
            elif kind == "journal_closed":
                closed.setdefault(event.data["control"], day)
            elif kind == "grade_sheet_formed":
                sheets.setdefault((event.data["control"], event.data["kind"]), day)
        if spec is None:
            continue
        course = _course(unit_kinds.get(spec["unit"]), spec.get("part"))
        for rule in rules:
            if course is not None and course not in rule.journals:
                continue
            counting = rule.counting or calendar.spec.days
            for point in spec["controls"]:
                if point["kind"] not in rule.control_kinds:
                    continue
                start = date.fromisoformat(point["ends"])
                if start > as_of:
                    continue
                done = closed.get(point["id"]) if rule.end == "closed" else \
                    sheets.get((point["id"], rule.sheet_kind or ""))
                upto = as_of if done is None else done
                in_force = [r for set_on, r in term_close.get(spec["term"], [])
                            if set_on <= upto]
                rows = in_force[-1].get(point["kind"], []) \
                    if in_force and rule.use_term_calendar and rule.end == "closed" else []
                late = _late(rule, calendar, counting, start, upto=upto, rows=rows)
                if late:
                    found.add((rule.id, spec["id"], point["id"]))
    return found, events


def _unit_kinds(store: jr.Storage, tz: Any, as_of: date) -> tuple[dict[str, str], int]:
    """Each course unit's kind (a rule names the journals it applies to), and events read."""
    kinds: dict[str, str] = {}
    events = 0
    for event in store.read(CURRICULUM_STREAM):
        events += 1
        if event.recorded_at.astimezone(tz).date() > as_of:
            break
        if event.type == "curriculum_loaded":
            kinds.update((u["id"], u["kind"]) for u in event.data["units"])
    return kinds, events


def _course(unit_kind: str | None, part: str | None) -> str | None:
    """What a journal is about, in the words of a rule's ``journals``."""
    if unit_kind is None:
        return None
    if unit_kind == "discipline":
        return "discipline"
    if part is None:
        return unit_kind  # integrated or module: the unit's own journal
    return "block" if unit_kind == "integrated" else "modular_discipline"


def _late(rule: DeadlineRule, calendar: Calendar, counting: DayCounting, start: date, *,
          upto: date,
          rows: list[date]) -> bool:
    """Whether a control ending on ``start`` and done on ``upto`` broke ``rule``: against the
    covering row of the term calendar (the earliest close_by on or after ``start``), replacing
    or bounding the rule's own days as the rule says."""
    close_by = min((d for d in rows if d >= start), default=None)
    days = rule.days or 0
    first = rule.start_day_counts and calendar.counts(start, counting)
    own = calendar.add(start, days - 1 if first and days else days, counting)
    if close_by is not None and (rule.term_calendar == "replace" or close_by < own):
        return upto > close_by
    return calendar.between(start, upto, counting) + (1 if first else 0) > days


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
    engine = engine_for(ruleset)
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
