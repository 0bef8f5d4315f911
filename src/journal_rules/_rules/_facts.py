"""From the event log to facts: what each rule's conditions test.

Python does the measuring here (it reads events, aggregates marks per journal and day, counts
days in the ruleset's calendar); the rule's thresholds are compared in the engine. A fact is a
flat dict of text and numbers with a unique ``id`` and the ``rule`` it is for; ``show`` holds what
the finding reports (dates as ISO text) and ``meta`` what the audit needs to build it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from journal_rules._commands import CloseJournal
from journal_rules._directory import Directory, RegistryView
from journal_rules._events import (
    JOURNAL_PREFIX,
    DeadlineCalendarSet,
    DeadlineEntry,
    Stream,
    payload_of,
    structure_payload,
)
from journal_rules._grading._finishing import finishing_part, sheet_control
from journal_rules._guard import GuardContext, _in_scope
from journal_rules._journal import EVENT_ACTIONS, JournalState
from journal_rules._model import CalendarPlan, ControlPoint, CourseKind, JournalSpec, Person
from journal_rules._policy import Policy
from journal_rules._storage import Storage, StoredEvent

from ._calendar import Calendar, DayCounting
from ._kinds import (
    ApprovalRule,
    AuthorshipRule,
    CompleteMarksRule,
    DailyMarkingRule,
    DeadlineRule,
    IntegratedSheetRule,
    OccurrenceRule,
    PeriodicRule,
    PrecedesRule,
    RuleBase,
    SeparationOfDutiesRule,
    SetupRule,
)


class Ev:
    """An event as the audit sees it: its type, who, when (moment and local day), its payload.

    The typed payload is built from ``data`` on first use only: most events are only ever looked
    at by type, actor and time, and structuring every payload is the audit's largest cost. A
    ``marks_entered`` event read by :func:`journal_view` keeps its control but not its cells
    (they are aggregated into ``JournalView.first_entry``), so a journal's marks are not held in
    memory twice.
    """

    __slots__ = ("_payload", "actor", "at", "data", "day", "on", "position", "type")

    def __init__(self, type: str, actor: str, at: datetime, day: date, *, on: date | None,
                 data: Mapping[str, Any], position: int) -> None:
        self.type = type
        self.actor = actor
        self.at = at
        self.day = day
        self.on = on
        self.data = data
        self.position = position
        self._payload: Any = _UNSET

    @property
    def payload(self) -> Any:
        payload = self._payload
        if payload is _UNSET:
            payload = self._payload = structure_payload(self.type, self.data)
        return payload

    def __repr__(self) -> str:
        return f"Ev({self.type!r}, {self.actor!r}, {self.at.isoformat()}, #{self.position})"


_UNSET: Any = object()


@attrs.define
class Fact:
    """A fact for the engine (``data``) and what a finding built from it reports."""

    data: dict[str, Any]
    show: dict[str, Any]
    subject_kind: str
    subject: str
    due: date | None = None
    journal: str | None = None
    control: str | None = None
    department: str | None = None
    person: str | None = None
    on: date | None = None
    # The roles of the rule's ``responsible`` that answer for this fact (None: all of them): a
    # visa deadline is answered by the holders of the visas still missing or given late.
    answerable: frozenset[str] | None = None


@attrs.define
class JournalView:
    """One journal's events up to the as-of date, by control, with marks aggregated per day.

    ``first_entry``: per control, per class day, the first day any mark was entered for it.
    ``student_entry``: per control, per (student, class day), the first day that student's cell
    was filled (a mark or a code, by entry or correction). ``student_first``: per control, per
    student, the log position of the first event filling any of their cells."""

    spec: JournalSpec
    department: str | None
    events: list[Ev]
    by_control: dict[str, list[Ev]]
    first_entry: dict[str, dict[date, date]]
    student_entry: dict[str, dict[tuple[str, date], date]] = attrs.field(factory=dict)
    student_first: dict[str, dict[str, int]] = attrs.field(factory=dict)


@attrs.define
class World:
    """Everything the audit reads: the registry as of the date, journals, registry events."""

    directory: RegistryView  # the registry as of the date; ``directory.at(moment)`` before it
    journals: dict[str, JournalView]
    registry: list[Ev]
    as_of: date
    calendar: Calendar
    memo: dict[Any, Any] = attrs.field(factory=dict)  # per-audit look-up tables (the audit's)

    def registry_on(self, day: date) -> RegistryView:
        """The registry as it stood at the end of ``day`` in the ruleset's zone (the guard's
        world: its directory, which is today's, or as of the end of today)."""
        key = ("registry_on", day)
        view: RegistryView | None = self.memo.get(key)
        if view is None:
            view = self.memo[key] = self.directory.on(day, self.calendar.tz)
        return view


def to_ev(event: StoredEvent, calendar: Calendar) -> Ev:
    return Ev(event.type, event.actor, event.recorded_at, calendar.local_date(event.recorded_at),
              on=event.occurred_on, data=event.data, position=event.version)


def read_world(store: Storage, as_of: date, calendar: Calendar) -> World:
    """Read the store as it stood at the end of ``as_of`` (university time)."""
    directory = Directory()
    registry: list[Ev] = []
    for stream in Stream.ALL:
        for event in store.read(stream):
            if calendar.local_date(event.recorded_at) > as_of:
                continue  # select by recorded time: a later event does not hide earlier ones
            directory.apply(event)
            registry.append(to_ev(event, calendar))
    registry.sort(key=lambda e: (e.at, e.type, e.position))
    journals: dict[str, JournalView] = {}
    for info in store.streams():
        if not info.name.startswith(JOURNAL_PREFIX):
            continue
        events = list(store.read(info.name))
        view = journal_view(events, directory, calendar, as_of)
        if view is not None:
            journals[view.spec.id] = view
            directory.journals[view.spec.id] = view.spec
    return World(directory, dict(sorted(journals.items())), registry, as_of, calendar)


def journal_view(events: Iterable[StoredEvent], directory: RegistryView, calendar: Calendar,
                 as_of: date | None) -> JournalView | None:
    spec: JournalSpec | None = None
    evs: list[Ev] = []
    by_control: dict[str, list[Ev]] = {}
    first_entry: dict[str, dict[date, date]] = {}
    student_entry: dict[str, dict[tuple[str, date], date]] = {}
    student_first: dict[str, dict[str, int]] = {}
    dates: dict[Any, date] = {}  # a cell's ISO date -> date: a term has few distinct days
    for event in events:
        day = calendar.local_date(event.recorded_at)
        if as_of is not None and day > as_of:
            continue  # select by recorded time: a later event does not hide earlier ones
        data = event.data
        if event.type == "marks_entered":
            data = _aggregate_marks(event, day, first_entry, dates,
                                    student_entry=student_entry, student_first=student_first)
        elif event.type == "mark_corrected":
            _aggregate_correction(event, day, student_entry, student_first, dates)
        ev = Ev(event.type, event.actor, event.recorded_at, day, on=event.occurred_on, data=data,
                position=event.version)
        evs.append(ev)
        if event.type == "journal_opened":
            spec = ev.payload.spec
            continue
        control = data.get("control")
        if control is None:
            continue
        by_control.setdefault(control, []).append(ev)
    if spec is None:
        return None
    try:
        department: str | None = directory.journal_department(spec)
    except (LookupError, ValueError):
        department = spec.department
    return JournalView(spec, department, evs, by_control, first_entry, student_entry,
                       student_first)


def _aggregate_marks(event: StoredEvent, day: date, first_entry: dict[str, dict[date, date]],
                     dates: dict[Any, date], *,
                     student_entry: dict[str, dict[tuple[str, date], date]],
                     student_first: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Fold a ``marks_entered`` event's cells into ``first_entry`` (per control, per class day:
    the first day marks were entered for it) and the per-student tables, straight from the
    event's plain data; return the data the event keeps (its control, no cells)."""
    try:
        control = str(event.data["control"])
        days = first_entry.setdefault(control, {})
        cells = student_entry.setdefault(control, {})
        firsts = student_first.setdefault(control, {})
        position = event.version
        for cell in event.data["cells"]:
            raw = cell["on"]
            on = dates.get(raw)
            if on is None:
                on = dates[raw] = raw if type(raw) is date else date.fromisoformat(raw)
            seen = days.get(on)
            if seen is None or day < seen:
                days[on] = day
            student = cell["student"]
            key = (student, on)
            if key not in cells:  # events come in log order: the first is the earliest
                cells[key] = day
            if student not in firsts:
                firsts[student] = position
    except (KeyError, TypeError, ValueError, AttributeError):
        payload_of(event)  # malformed data: the converter says exactly what is wrong
        raise
    return {"control": control, "cells": []}


def _aggregate_correction(event: StoredEvent, day: date,
                          student_entry: dict[str, dict[tuple[str, date], date]],
                          student_first: dict[str, dict[str, int]],
                          dates: dict[Any, date]) -> None:
    """A correction fills a cell too (an empty one, when ``old`` is null)."""
    try:
        control = str(event.data["control"])
        student = str(event.data["student"])
        raw = event.data["on"]
        on = dates.get(raw)
        if on is None:
            on = dates[raw] = raw if type(raw) is date else date.fromisoformat(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        payload_of(event)
        raise
    student_entry.setdefault(control, {}).setdefault((student, on), day)
    student_first.setdefault(control, {}).setdefault(student, event.version)


# --- per kind -------------------------------------------------------------------------------------

def visa_completions(evs: Sequence[Ev], required: Sequence[str]) -> list[Ev]:
    """The events at which a note got the last of the ``required`` visas: per note (a new note
    starts over), the visa after which every required role had given one."""
    out: list[Ev] = []
    given: set[str] | None = None
    wanted = set(required)
    for e in evs:
        if e.type == "note_submitted":
            given = set()
            if not wanted:
                out.append(e)  # nothing to wait for: the note is complete as submitted
                given = None
        elif e.type == "note_rejected":
            given = None
        elif e.type == "visa_given" and given is not None:
            given.add(e.payload.role)
            if wanted <= given:
                out.append(e)
                given = None
    return out


@attrs.frozen
class VisaRun:
    """One note's wait for its visas: ``given`` maps each required role whose visa came to the
    day it came; ``complete`` is the visa that completed the set (None while some are missing)."""

    note: Ev
    given: dict[str, date]
    complete: Ev | None


def visa_runs(evs: Sequence[Ev], required: Sequence[str]) -> list[VisaRun]:
    """Per note submitted, its visas up to completion. A note the ОР rejected, or one replaced by
    a new note, before its visas were complete no longer waits for them: it is left out."""
    out: list[VisaRun] = []
    note: Ev | None = None
    given: dict[str, date] = {}
    wanted = set(required)
    for e in evs:
        if e.type == "note_submitted":
            note, given = e, {}
            if not wanted:
                out.append(VisaRun(e, {}, e))
                note = None
        elif e.type == "note_rejected":
            note = None
        elif e.type == "visa_given" and note is not None and e.payload.role in wanted:
            given.setdefault(e.payload.role, e.day)
            if wanted <= set(given):
                out.append(VisaRun(note, given, e))
                note = None
    if note is not None:
        out.append(VisaRun(note, given, None))
    return out


def _start_events(rule: DeadlineRule, point: ControlPoint, evs: list[Ev],
                  required_visas: Sequence[str]) -> list[tuple[date, int]]:
    """(start day, position) of each start of the clock; position -1 for a date anchor."""
    if rule.start == "control_end":
        return [(point.ends, -1)]
    if rule.start == "visas_complete":
        return [(e.day, e.position) for e in visa_completions(evs, required_visas)]
    types = {"control_held": "control_held", "closed": "journal_closed",
             "note_submitted": "note_submitted", "reopened": "journal_reopened"}
    wanted = types[rule.start]
    out = []
    for e in evs:
        if e.type == wanted:
            day = e.payload.on if wanted == "control_held" else e.day
            out.append((day, e.position))
    return out


def _is_end(rule: DeadlineRule | IntegratedSheetRule, e: Ev) -> bool:
    if isinstance(rule, IntegratedSheetRule):
        return e.type == "grade_sheet_formed" and e.payload.kind == rule.sheet_kind
    match rule.end:
        case "closed":
            return e.type == "journal_closed"
        case "grade_sheet":
            return e.type == "grade_sheet_formed" and e.payload.kind == rule.sheet_kind
        case "note_submitted":
            return e.type == "note_submitted"
        case "note_reviewed":
            return e.type in ("note_approved", "note_rejected")
    return False


def _counting(rule: DeadlineRule | IntegratedSheetRule, calendar: Calendar) -> DayCounting:
    return rule.counting or calendar.spec.days


def calendar_row(world: World, view: JournalView, point: ControlPoint,
                 on: date) -> tuple[DeadlineEntry | None, DeadlineCalendarSet | None]:
    """The row of the term's deadline calendar (T12) that covers ``point``, from the calendar in
    force on ``on`` (the last one set for the term by the end of that day: a later order does
    not rejudge what was done before it), and that calendar. The covering row: of the rows of
    the control's kind, the one with the earliest ``close_by`` on or after the control's last day
    (so each row serves the control it was set for: two current controls, two rows). None when
    the term has no calendar or no row of that kind closes after the control ends."""
    calendar_set = world.registry_on(on).deadlines.get(view.spec.term)
    if calendar_set is None:
        return None, None
    rows = [x for x in calendar_set.entries
            if x.control_kind == point.kind and x.close_by >= point.ends]
    return (min(rows, key=lambda x: x.close_by) if rows else None), calendar_set


def class_days(view: JournalView, world: World, point: ControlPoint) -> list[date]:
    """The class days of a control: the dates of the КТП's classes (F1) within the control's
    dates where a plan for this unit (or part), year and specialty is loaded; otherwise the
    control's working days. Days marks were entered for are class days too (a class was held)."""
    plan = _plan_of(view, world)
    days: set[date] = set(view.first_entry.get(point.id, {}))
    if plan is not None:
        days.update(c.on for c in plan.classes if point.starts <= c.on <= point.ends)
    else:
        day = point.starts
        while day <= point.ends:
            if world.calendar.is_working(day):
                days.add(day)
            day += timedelta(days=1)
    return sorted(d for d in days if point.starts <= d <= point.ends)


def _plan_of(view: JournalView, world: World) -> CalendarPlan | None:
    directory = world.directory
    group = directory.groups.get(view.spec.group)
    term = directory.terms.get(view.spec.term)
    if group is None or term is None:
        return None
    for unit in (view.spec.part, view.spec.unit):
        if unit is None:
            continue
        plan = directory.plans.get((unit, term.academic_year, group.year_of_study,
                                    group.specialty))
        if plan is not None:
            return plan
    return None


def _due(rule: DeadlineRule, cal: Calendar, start: date, counting: DayCounting) -> date | None:
    """The rule's own due date counting from ``start`` (None when the rule has no days)."""
    if rule.days is None:
        return None
    if rule.start_day_counts and rule.days > 0 and cal.counts(start, counting):
        return cal.add(start, rule.days - 1, counting)
    return cal.add(start, rule.days, counting)


def _elapsed(rule: DeadlineRule, cal: Calendar, start: date, upto: date,
             counting: DayCounting) -> int:
    extra = 1 if rule.start_day_counts and cal.counts(start, counting) and upto >= start else 0
    return cal.between(start, upto, counting) + extra


def journal_course(view: JournalView, directory: RegistryView) -> str | None:
    """What the journal is about (see ``_kinds.JOURNAL_COURSES``); None for an unknown unit."""
    unit = directory.units.get(view.spec.unit)
    if unit is None:
        return None
    if unit.kind == CourseKind.DISCIPLINE:
        return "discipline"
    if view.spec.part is None:
        return "integrated" if unit.kind == CourseKind.INTEGRATED else "module"
    return "block" if unit.kind == CourseKind.INTEGRATED else "modular_discipline"


def deadline_facts(rule: DeadlineRule, view: JournalView, world: World,
                   policy: Policy | None = None) -> list[Fact]:
    out: list[Fact] = []
    course = journal_course(view, world.directory)
    if course is not None and course not in rule.journals:
        return out
    cal = world.calendar
    counting = _counting(rule, cal)
    required = [] if policy is None else policy.visas.roles()
    for point in view.spec.controls:
        if point.kind.value not in rule.control_kinds:
            continue
        evs = view.by_control.get(point.id, [])
        if rule.end == "marks_entered":
            fact = marks_fact(rule, view, world, point, entered=None)
            if fact is not None:
                out.append(fact)
            continue
        if rule.current_per == "class" and point.kind.value == "current":
            out.extend(_class_facts(rule, view, world, point, counting))
            continue
        if rule.end == "visas_complete" and not rule.optional:
            out.extend(_visa_facts(rule, view, world, point, evs=evs, required=required,
                                   counting=counting))
            continue
        if rule.end == "visas_complete":
            ends = visa_completions(evs, required)
        else:
            ends = [e for e in evs if _is_end(rule, e)]
        starts = _start_events(rule, point, evs, required)
        pairs: list[tuple[date, Ev | None]] = []
        if rule.optional:
            for end in ends:
                before = [s for s in starts if s[1] < end.position]
                if before:
                    pairs.append((before[-1][0], end))
        else:
            for day, position in starts:
                after = [e for e in ends if e.position > position]
                pairs.append((day, after[0] if after else None))
        for n, (start, finish) in enumerate(pairs):
            if start > world.as_of:
                continue
            fact = _deadline_fact(rule, view, world, point, start=start, n=n,
                                  done_on=None if finish is None else finish.day,
                                  counting=counting)
            if fact is not None:
                out.append(fact)
    return out


def _visa_facts(rule: DeadlineRule, view: JournalView, world: World, point: ControlPoint,
                *, evs: list[Ev], required: Sequence[str], counting: DayCounting) -> list[Fact]:
    """The visas a submitted note is owed (``end: visas_complete``, not optional): the clock
    starts at the rule's ``start`` at or before the note (the closing, or the note itself) and
    stops at the last required visa; pending while due, a violation once the due date passes
    with visas missing or when they came late. The finding names the missing visas and is
    answered by the holders of the visas missing or given after the due date."""
    out: list[Fact] = []
    starts = _start_events(rule, point, evs, required)
    for n, run in enumerate(visa_runs(evs, required)):
        before = [s for s in starts if s[1] <= run.note.position]
        if not before or before[-1][0] > world.as_of:
            continue
        done_on = None if run.complete is None else run.complete.day
        fact = _deadline_fact(rule, view, world, point, start=before[-1][0], n=n,
                              done_on=done_on, counting=counting)
        if fact is None:
            continue
        missing = [r for r in required if r not in run.given]
        late = [r for r in required if fact.due is not None and r in run.given
                and run.given[r] > fact.due]
        fact.show.update({"missing": missing, "given": [r for r in required if r in run.given],
                          "late": late, "required": list(required),
                          "note_on": run.note.day.isoformat()})
        fact.answerable = frozenset(missing + late)
        out.append(fact)
    return out


def _class_facts(rule: DeadlineRule, view: JournalView, world: World, point: ControlPoint,
                 counting: DayCounting) -> list[Fact]:
    """One fact per class day of a current control (``current_per: class``): the clock starts on
    the class day and stops when marks for that day are first entered or the control is
    closed, whichever comes first."""
    closed = next((e.day for e in view.by_control.get(point.id, []) if _is_end(rule, e)), None)
    entries = view.first_entry.get(point.id, {})
    out: list[Fact] = []
    for day in class_days(view, world, point):
        if day > world.as_of:
            continue
        done = [d for d in (entries.get(day), closed) if d is not None]
        fact = _deadline_fact(rule, view, world, point, start=day, n=0,
                              done_on=min(done) if done else None, counting=counting,
                              key=day.isoformat(), calendar=False)
        if fact is not None:
            out.append(fact)
    return out


def _deadline_fact(rule: DeadlineRule, view: JournalView, world: World, point: ControlPoint, *,
                   start: date, done_on: date | None, n: int, counting: DayCounting,
                   key: str | None = None, calendar: bool = True,
                   always_done: bool = False) -> Fact | None:
    """The fact of one run of a deadline's clock, or None when no deadline applies (a rule
    without days of its own and no calendar row)."""
    cal = world.calendar
    upto = done_on if done_on is not None else world.as_of
    due = _due(rule, cal, start, counting)
    row, calendar_set = calendar_row(world, view, point, upto) \
        if calendar and rule.use_term_calendar else (None, None)
    set_by = None if row is None else (row.marks_by if rule.end == "marks_entered"
                                       else row.close_by)
    source = "rule"
    if set_by is not None:
        set_by = max(set_by, point.ends)  # a due date is never before the control ends
        if rule.term_calendar == "replace" or due is None or set_by < due:
            due, source = set_by, "term_calendar"
    if due is None:
        return None
    key = key or f"{point.id}#{n}"
    data: dict[str, Any] = {"id": f"{rule.id}|{view.spec.id}|{point.id}|{key}", "rule": rule.id,
                            "done": int(done_on is not None or always_done),
                            "elapsed": _elapsed(rule, cal, start, upto, counting),
                            "source": source,
                            "past_calendar": (upto - due).days if source != "rule" else 0}
    show = {"journal": view.spec.id, "control": point.id, "control_kind": point.kind.value,
            "start": start.isoformat(), "due": due.isoformat(),
            "done_on": None if done_on is None else done_on.isoformat(),
            "elapsed": data["elapsed"], "days": rule.days, "counting": counting,
            "deadline_source": source, "key": key}
    if source == "term_calendar" and calendar_set is not None:
        show["order"] = calendar_set.order_number
    return Fact(data, show, "journal", view.spec.id, due=due, journal=view.spec.id,
                control=point.id, department=view.department, on=due)


def marks_fact(rule: DeadlineRule, view: JournalView, world: World, point: ControlPoint, *,
               entered: date | None) -> Fact | None:
    """Whether the marks of ``point`` were entered by their due date (``end: marks_entered``,
    T12's ``marks_by``): the last day marks or corrections were recorded for it before any
    reopening (whose changes have their own clock, R4), or ``entered`` (the guard asking about
    marks to be entered that day). A marks deadline is only ever broken, never pending."""
    cal = world.calendar
    last: date | None = entered
    for e in view.by_control.get(point.id, []):
        if e.type == "journal_reopened":
            break
        if e.type in ("marks_entered", "mark_corrected") and (last is None or e.day > last):
            last = e.day
    if point.ends > world.as_of and entered is None:
        return None
    return _deadline_fact(rule, view, world, point, start=point.ends,
                          done_on=max(last, point.ends) if last is not None else point.ends,
                          n=0, counting=_counting(rule, cal), always_done=True)


def _course_span(view: JournalView, directory: RegistryView) -> tuple[date, date] | None:
    unit = directory.units.get(view.spec.unit)
    if unit is None:
        return None
    if view.spec.part:
        try:
            part = unit.part(view.spec.part)
        except KeyError:
            return None
        return part.starts, part.ends
    return unit.starts, unit.ends


def daily_facts(rule: DailyMarkingRule, view: JournalView, world: World) -> list[Fact]:
    """One fact per class day: how late the latest student's cell was filled, and whether every
    student of the group has one (T3, T15, P12)."""
    span = _course_span(view, world.directory)
    if span is None:
        return []
    cal = world.calendar
    course_days = cal.between(span[0] - timedelta(days=1), span[1], rule.course_counting)
    if rule.courses == "short" and course_days > rule.max_course_days:
        return []  # the engine tests it too; this spares posting
    out: list[Fact] = []
    for point in view.spec.controls:
        if point.kind.value not in rule.control_kinds:
            continue
        cells = view.student_entry.get(point.id, {})
        for d in class_days(view, world, point):
            if d > world.as_of:
                continue
            entered = {s: cells.get((s, d)) for s in group_members(world, view.spec.group, d)}
            missing = sorted(s for s, e in entered.items() if e is None)
            lags = {s: (e - d).days for s, e in entered.items() if e is not None}
            lag = max(lags.values(), default=0)
            late = sorted(s for s, n in lags.items() if n > rule.lag_days)
            last = max((e for e in entered.values() if e is not None), default=None)
            data = {"id": f"{rule.id}|{view.spec.id}|{point.id}|{d.isoformat()}",
                    "rule": rule.id, "course_days": course_days,
                    "marked": int(not missing), "lag": lag,
                    "waited": (world.as_of - d).days if missing else 0}
            show = {"journal": view.spec.id, "control": point.id, "day": d.isoformat(),
                    "entered_on": None if last is None else last.isoformat(),
                    "course_days": course_days, "max_course_days": rule.max_course_days,
                    "missing": missing, "late": late,
                    "students": ", ".join(sorted(set(missing) | set(late))) or None,
                    "lag_days": rule.lag_days,
                    "due": (d + timedelta(days=rule.lag_days)).isoformat(),
                    "key": d.isoformat()}
            out.append(Fact(data, show, "journal", view.spec.id,
                            due=d + timedelta(days=rule.lag_days), journal=view.spec.id,
                            control=point.id, department=view.department, on=d))
    return out


def group_members(world: World, group: str, on: date) -> list[str]:
    """Ids of the group's students as the contingent stood at the end of ``on`` (a student who
    joined later is not asked for earlier marks; one who moved away still was)."""
    key = ("group_members", group, on)
    members: list[str] | None = world.memo.get(key)
    if members is None:
        members = world.memo[key] = [st.id for st in world.registry_on(on).students_of(group)]
    return members


def complete_fact(rule: CompleteMarksRule, view: JournalView, world: World, point: ControlPoint,
                  *, position: int, day: date, n: int) -> Fact:
    """Students of the group with no mark or code in ``point`` before log position
    ``position`` (a closing, or the guard's closing about to happen)."""
    firsts = view.student_first.get(point.id, {})
    students = group_members(world, view.spec.group, day)
    missing = [s for s in students if firsts.get(s, position) >= position]
    data = {"id": f"{rule.id}|{view.spec.id}|{point.id}|{n}", "rule": rule.id,
            "missing": len(missing)}
    show = {"journal": view.spec.id, "control": point.id, "on": day.isoformat(),
            "students": ", ".join(missing) or None, "missing": missing,
            "count": len(missing), "key": f"{point.id}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=point.id,
                department=view.department, on=day)


def holds_marks(view: JournalView, world: World, point: ControlPoint) -> bool:
    """Whether the SOP's structure puts marks in this control of this journal (T6, T7): an
    integrated discipline's own journal holds only its integrated exam (intermediate or final
    attestation) and its blocks' journals only current and milestone control; a module's own
    journal holds none (each modular discipline has its own exam in its own journal)."""
    unit = world.directory.units.get(view.spec.unit)
    if unit is None or unit.kind == CourseKind.DISCIPLINE:
        return True
    attestation = point.kind.value in ("intermediate", "final")
    if unit.kind == CourseKind.INTEGRATED:
        return attestation if view.spec.part is None else not attestation
    return view.spec.part is not None


def complete_facts(rule: CompleteMarksRule, view: JournalView, world: World) -> list[Fact]:
    out: list[Fact] = []
    for point in view.spec.controls:
        if point.kind.value not in rule.control_kinds or not holds_marks(view, world, point):
            continue
        closings = [e for e in view.by_control.get(point.id, []) if e.type == "journal_closed"]
        for n, e in enumerate(closings):
            out.append(complete_fact(rule, view, world, point, position=e.position, day=e.day,
                                     n=n))
    return out


def approval_fact(rule: ApprovalRule, view: JournalView, control: str, *, reopen_position: int,
                  reopen_day: date, policy: Policy, n: int) -> Fact:
    evs = [e for e in view.by_control.get(control, []) if e.position < reopen_position]
    notes = [e for e in evs if e.type == "note_submitted"]
    note = notes[-1] if notes else None
    after = [e for e in evs if note is not None and e.position > note.position]
    required = policy.visas.roles()
    given_in: list[str] = []
    out_of_order: list[str] = []
    for e in after:
        if e.type != "visa_given":
            continue
        role = e.payload.role
        if any(r not in given_in for r in policy.visas.before(role)):
            out_of_order.append(role)
        given_in.append(role)
    given = sorted(set(given_in))
    missing = [r for r in required if r not in given]
    approved = any(e.type == "note_approved" for e in after)
    data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
            "has_note": int(note is not None), "missing_visas": len(missing),
            "out_of_order": len(out_of_order), "approved": int(approved)}
    show = {"journal": view.spec.id, "control": control, "on": reopen_day.isoformat(),
            "has_note": note is not None, "has_note_text": "+" if note is not None else "−",
            "note_by": None if note is None else note.actor, "given": given, "missing": missing,
            "out_of_order": out_of_order, "required": required, "approved": approved,
            "approved_text": "+" if approved else "−", "key": f"{control}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=control,
                department=view.department, on=reopen_day)


def approval_facts(rule: ApprovalRule, view: JournalView, world: World,
                   policy: Policy) -> list[Fact]:
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, e in enumerate(x for x in evs if x.type == "journal_reopened"):
            out.append(approval_fact(rule, view, control, reopen_position=e.position,
                                     reopen_day=e.day, policy=policy, n=n))
    return out


def entitled(policy: Policy, directory: RegistryView, view: JournalView, *, actor: str,
             action: str, on: date, now: datetime) -> bool:
    """Whether the policy's permission for ``action`` covers ``actor`` on this journal."""
    person = directory.people.get(actor)
    if person is None:
        return False
    try:
        perm = policy.permission_for(action)
    except KeyError:
        return False
    state = JournalState(policy.lifecycle)
    state.spec = view.spec
    control = view.spec.controls[0].id if view.spec.controls else ""
    context = GuardContext(actor, person, CloseJournal(view.spec.id, control), action, on, now,
                           directory, state)
    return any(g.role in person.roles and _in_scope(g.scope, person, context)
               for g in perm.grants)


def authorship_facts(rule: AuthorshipRule, view: JournalView, world: World,
                     policy: Policy) -> list[Fact]:
    groups: dict[tuple[str, str, date], list[Ev]] = {}
    for e in view.events:
        action = EVENT_ACTIONS.get(e.type)
        if action is None or action not in rule.actions:
            continue
        on = e.on or e.day
        groups.setdefault((e.actor, action, on), []).append(e)
    out: list[Fact] = []
    # Each action is judged against the registry as it stood at its moment (Directory.at), as
    # the guard judged it. The answer changes only when the registry's people, org units,
    # groups or units change (its epoch) and, through this journal's substitutions (T13), with
    # the day: within one epoch, without substitutions, one answer per actor and action holds.
    directory = world.directory
    journal = view.spec.id
    by_day = bool(directory.substitutions.get(journal))
    answers: dict[tuple[Any, ...], bool] = {}

    def judge(actor: str, action: str, on: date, e: Ev) -> bool:
        key: tuple[Any, ...] = (actor, action, directory.epoch(e.at),
                                directory.epoch(e.at, inclusive=False))
        if by_day:
            key += (on, directory.substitutions_epoch(journal, e.at),
                    directory.substitutions_epoch(journal, e.at, inclusive=False))
        ok = answers.get(key)
        if ok is None:
            ok = entitled(policy, directory.at(e.at), view, actor=actor, action=action, on=on,
                          now=e.at)
            if not ok and (key[2] != key[3] or (by_day and key[5] != key[6])):
                # Registry changes recorded at the very same moment may have come after the
                # action: the registry just before that moment is the one it may have met.
                ok = entitled(policy, directory.at(e.at, inclusive=False), view, actor=actor,
                              action=action, on=on, now=e.at)
            answers[key] = ok
        return ok

    for (actor, action, on), evs in sorted(groups.items()):
        ok = all(judge(actor, action, on, e) for e in evs)
        data = {"id": f"{rule.id}|{view.spec.id}|{actor}|{action}|{on.isoformat()}",
                "rule": rule.id, "entitled": int(ok)}
        show = {"journal": view.spec.id, "actor": actor, "action": action,
                "on": on.isoformat(), "key": f"{actor}|{action}|{on.isoformat()}"}
        out.append(Fact(data, show, "journal", view.spec.id, journal=view.spec.id,
                        department=view.department, person=actor, on=on))
    return out


# --- separation of duties -----------------------------------------------------------------------

Step = tuple[str, str]  # (person, step): "give_visa (school_dean)" for a visa


def _step_of(e: Ev, action: str) -> str:
    return f"give_visa ({e.payload.role})" if action == "give_visa" else action


def reopening_procedures(evs: Sequence[Ev], actions: Sequence[str]
                         ) -> list[tuple[list[Step], Ev, bool]]:
    """Each reopening procedure of one control: its steps among ``actions`` (who, which), the
    note that starts it, and whether it has ended (reopened or rejected)."""
    out: list[tuple[list[Step], Ev, bool]] = []
    for e in evs:
        action = EVENT_ACTIONS.get(e.type)
        if e.type == "note_submitted":
            out.append(([], e, False))
        if not out or out[-1][2] or action is None:
            continue
        steps, note, _ = out[-1]
        if action in actions:
            steps.append((e.actor, _step_of(e, action)))
        if e.type in ("journal_reopened", "note_rejected"):
            out[-1] = (steps, note, True)
    return out


def separation_fact(rule: SeparationOfDutiesRule, view: JournalView, control: str,
                    steps: Sequence[Step], *, on: date, n: int) -> Fact:
    """One procedure: the people who took more than one of its steps, with those steps."""
    by_person: dict[str, list[str]] = {}
    for person, step in steps:
        taken = by_person.setdefault(person, [])
        if step not in taken:  # the same step again is not a second duty (and said elsewhere)
            taken.append(step)
    shared = {p: s for p, s in by_person.items() if len(s) > 1}
    data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
            "breaches": len(shared)}
    first = next(iter(shared), None)
    show = {"journal": view.spec.id, "control": control, "on": on.isoformat(),
            "person": first, "steps": [] if first is None else shared[first],
            # Who took several steps (what messages show), and which steps (for the record).
            "shared": list(shared),
            "shared_steps": [f"{p}: {', '.join(s)}" for p, s in shared.items()],
            "signatories": [f"{step}: {person}" for person, step in steps],
            "key": f"{control}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=control,
                department=view.department, person=first, on=on)


def separation_facts(rule: SeparationOfDutiesRule, view: JournalView) -> list[Fact]:
    if not rule.applies or rule.constraint != "distinct_people":
        return []
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, (steps, note, _) in enumerate(reopening_procedures(evs, rule.actions)):
            if len(steps) > 1:
                out.append(separation_fact(rule, view, control, steps, on=note.day, n=n))
    return out


def self_grant(before: Person | None, after: Person, *,
               first: bool) -> tuple[list[str], list[str]]:
    """The roles and org units someone gives themself by registering ``after`` over ``before``
    (nothing for the very first registration into an empty registry: someone has to be
    first)."""
    if before is None and first:
        return [], []
    roles = sorted(after.roles - (before.roles if before is not None else frozenset()))
    units = [u for u in after.units if before is None or u not in before.units]
    return roles, units


def self_grant_fact(rule: SeparationOfDutiesRule, actor: str, roles: Sequence[str],
                    units: Sequence[str], *, on: date, n: int) -> Fact:
    data = {"id": f"{rule.id}|{actor}|{n}", "rule": rule.id,
            "breaches": len(roles) + len(units)}
    show = {"person": actor, "actor": actor, "on": on.isoformat(), "roles_gained": list(roles),
            "units_gained": list(units), "key": f"{actor}#{n}"}
    return Fact(data, show, "person", actor, person=actor, on=on)


def self_grant_facts(rule: SeparationOfDutiesRule, world: World) -> list[Fact]:
    """Every registration in which the actor registered themself, replaying the people as
    they stood before it."""
    if not rule.applies or rule.constraint != "no_self_grant":
        return []
    people: dict[str, Person] = {}
    out: list[Fact] = []
    n = 0
    for e in world.registry:
        if e.type != "people_registered":
            continue
        registered = e.payload.people
        for person in registered:
            if person.id != e.actor:
                continue
            roles, units = self_grant(people.get(person.id), person, first=not people)
            out.append(self_grant_fact(rule, e.actor, roles, units, on=e.day, n=n))
            n += 1
        people.update((p.id, p) for p in registered)
    return out


def occurrence_facts(rule: OccurrenceRule, view: JournalView, world: World) -> list[Fact]:
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, e in enumerate(x for x in evs if x.type == rule.event):
            notes = [x for x in evs if x.type == "note_submitted" and x.position < e.position]
            note_by = notes[-1].actor if notes else None
            data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
                    "occurred": 1}
            show = {"journal": view.spec.id, "control": control, "on": e.day.isoformat(),
                    "note_by": note_by, "by": e.actor, "department": view.department,
                    "teachers": list(view.spec.teachers), "key": f"{control}#{n}"}
            out.append(Fact(data, show, "journal", view.spec.id, journal=view.spec.id,
                            control=control, department=view.department, person=note_by,
                            on=e.day))
    return out


def _unit_journals(world: World, spec: JournalSpec) -> list[JournalView]:
    """The journals of ``spec``'s course unit for the same group and term (own and parts')."""
    index = world.memo.get("unit-journals")
    if index is None:
        index = {}
        for v in world.journals.values():
            index.setdefault((v.spec.unit, v.spec.group, v.spec.term), []).append(v)
        world.memo["unit-journals"] = index
    found: list[JournalView] = index.get((spec.unit, spec.group, spec.term), [])
    return found


def integrated_facts(rule: IntegratedSheetRule, view: JournalView, world: World) -> list[Fact]:
    """One fact per ИД or module, group and term, on the finishing part's journal: that is where
    :func:`journal_rules.compute_grade_sheet` records the integrated sheet (T10, P11), so its
    department (``journal_department``) is the finishing one. The clock starts when the last of
    the unit's intermediate or final controls (the integrated exam, the last modular exam) ends.
    """
    unit = world.directory.units.get(view.spec.unit)
    if unit is None or view.spec.part is None or unit.kind == CourseKind.DISCIPLINE \
            or not unit.parts:
        return []
    finishing = finishing_part(unit, rule.tie_break)
    if view.spec.part != finishing.id:
        return []
    related = _unit_journals(world, view.spec)
    ends = [p.ends for v in related for p in v.spec.controls
            if p.kind.value in rule.control_kinds]
    if not ends:
        return []
    start = max(ends)
    if start > world.as_of:
        return []
    sheets = sorted((e for v in related for e in v.events if _is_end(rule, e)),
                    key=lambda e: (e.at, e.position))
    sheet = sheets[0] if sheets else None
    cal = world.calendar
    counting = _counting(rule, cal)
    person = None if sheet is None else (
        world.directory.at(sheet.at).people.get(sheet.actor))  # as of the sheet
    by_units: tuple[str, ...] = () if person is None else person.units
    by_department = finishing.department if finishing.department in by_units else \
        (by_units[0] if by_units else None)
    upto = sheet.day if sheet is not None else world.as_of
    data = {"id": f"{rule.id}|{view.spec.id}", "rule": rule.id,
            "done": int(sheet is not None), "elapsed": cal.between(start, upto, counting),
            "by_finishing": int(finishing.department in by_units)}
    due = cal.add(start, rule.days, counting)
    # Where grading records the sheet (the part's exam, or its last control); reported on that
    # control whether formed yet or not, so a pending finding and its violation share an id.
    control = sheet_control(view.spec, "")
    show = {"journal": view.spec.id, "unit": unit.id, "control": control,
            "recorded_on": None if sheet is None else sheet.data.get("control"),
            "start": start.isoformat(), "due": due.isoformat(),
            "done_on": None if sheet is None else sheet.day.isoformat(),
            "finishing": finishing.department, "finishing_part": finishing.id,
            "by_department": by_department, "by": None if sheet is None else sheet.actor,
            "elapsed": data["elapsed"], "days": rule.days, "counting": counting,
            "key": unit.id}
    return [Fact(data, show, "journal", view.spec.id, due=due, journal=view.spec.id,
                 control=control, department=finishing.department, on=due)]


def periodic_facts(rule: PeriodicRule, world: World) -> list[Fact]:
    start = world.calendar.year_start(world.as_of)
    month = date(start.year, start.month, 1)
    out: list[Fact] = []
    while month <= world.as_of:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        count = sum(1 for e in world.registry
                    if e.type == rule.event and month <= e.day < nxt)
        label = f"{month.year:04d}-{month.month:02d}"
        data = {"id": f"{rule.id}|{label}", "rule": rule.id, "count": count,
                "complete": int(nxt <= world.as_of)}
        due = nxt - timedelta(days=1)
        show = {"month": label, "count": count, "at_least": rule.at_least, "key": label}
        out.append(Fact(data, show, "month", label, due=due, on=due))
        month = nxt
    return out


def setup_facts(rule: SetupRule, world: World) -> list[Fact]:
    """Facts for the current academic year and, when its window has opened, the next one."""
    current = world.calendar.year_start(world.as_of)
    following = date(current.year + 1, current.month, current.day)
    return _setup_year(rule, world, current) + _setup_year(rule, world, following)


def _setup_year(rule: SetupRule, world: World, year_start: date) -> list[Fact]:
    cal = world.calendar
    next_start = date(year_start.year + 1, year_start.month, year_start.day)
    year = _year_label(year_start)
    events = [e for e in world.registry if e.type == rule.event]
    targets: list[tuple[str, str, date, list[Ev]]] = []  # (subject kind, subject, due, events)
    fixed_due = None if rule.due == "term_start" else cal.month_day_before(rule.due, year_start)
    terms = sorted((t for t in world.directory.terms.values()
                    if year_start <= t.starts < next_start), key=lambda t: t.id)
    if rule.per == "year":
        due = fixed_due or year_start
        targets.append(("year", year, due, [e for e in events
                                            if year in _years_of(rule, e, world)]))
    elif rule.per == "term":
        for term in terms:
            targets.append(("term", term.id, fixed_due or term.starts,
                            [e for e in events if e.payload.term == term.id]))
    else:
        term_ids = {t.id for t in terms}
        units = sorted({e.unit for e in world.directory.curriculum.values()
                        if e.term in term_ids})
        by_unit: dict[str, list[Ev]] = {}
        for e in events:
            for unit in _units_of(rule, e, world, year):
                by_unit.setdefault(unit, []).append(e)
        for unit in units:
            due = fixed_due or min(t.starts for t in terms)
            targets.append(("unit", unit, due, by_unit.get(unit, [])))
    out: list[Fact] = []
    for kind, subject, due, evs in targets:
        if world.as_of < due - timedelta(days=rule.opens_days_before):
            continue
        first = evs[0] if evs else None
        upto = first.day if first is not None else world.as_of
        data = {"id": f"{rule.id}|{year}|{subject}", "rule": rule.id,
                "done": int(first is not None), "late": (upto - due).days}
        show = {kind: subject, "year": year, "due": due.isoformat(),
                "done_on": None if first is None else first.day.isoformat(), "key": subject}
        out.append(Fact(data, show, kind, subject, due=due, on=due))
    return out


def _year_label(year_start: date) -> str:
    return f"{year_start.year}-{year_start.year + 1}"


def _declared_year(e: Ev, calendar: Calendar) -> str:
    """The academic year a setup event was recorded for; an event written before commands
    declared it counts for the academic year in which it was recorded."""
    declared = getattr(e.payload, "academic_year", None)
    return str(declared) if declared else _year_label(calendar.year_start(e.day))


def _years_of(rule: SetupRule, e: Ev, world: World) -> set[str]:
    """The academic years a per-year setup event does its part for (P1-P3)."""
    payload = e.payload
    if rule.event != "curriculum_loaded":
        return {_declared_year(e, world.calendar)}
    if rule.covers == "units":  # P2: course units, by the year they start in
        return {_year_label(world.calendar.year_start(u.starts)) for u in payload.units}
    # P3: working-curriculum lines, by their term's year (the term loaded with them or before)
    years = {t.id: t.academic_year for t in world.directory.terms.values()}
    years.update((t.id, t.academic_year) for t in payload.terms)
    return {years[entry.term] for entry in payload.entries if entry.term in years}


def _units_of(rule: SetupRule, e: Ev, world: World, year: str) -> set[str]:
    """The course units a per-unit setup event does its part for in ``year`` (P4-P6)."""
    payload = e.payload
    if rule.event == "curriculum_loaded":  # P4: units loaded with their methods for the year
        return {u.id for u in payload.units if u.teaching_methods and u.assessment_methods
                and _year_label(world.calendar.year_start(u.starts)) == year}
    if rule.event == "calendar_plan_loaded":
        return {payload.plan.unit} if payload.plan.academic_year == year else set()
    return {payload.unit} if _declared_year(e, world.calendar) == year else set()


def precedes_facts(rule: PrecedesRule, world: World) -> list[Fact]:
    subjects: dict[str, Ev] = {}
    if rule.subject == "first_journal_action":
        for view in world.journals.values():
            for e in view.events:
                if e.actor not in subjects or e.at < subjects[e.actor].at:
                    subjects[e.actor] = e
    else:
        for e in world.registry:
            if e.type == rule.subject:
                subjects.setdefault(e.payload.person, e)
    required: dict[str, list[Ev]] = {}
    for r in world.registry:
        if r.type == rule.requires:
            required.setdefault(r.payload.person, []).append(r)
    registered = first_registered(world) if rule.applies_to == "new_staff" else {}
    out: list[Fact] = []
    for person, e in sorted(subjects.items()):
        if rule.applies_to == "new_staff":
            since = world.calendar.year_start(e.day) - timedelta(days=rule.new_staff_lead_days)
            first = registered.get(person)
            if first is None or first < since:
                continue  # staff from before: their access predates these obligations
        before = [r for r in required.get(person, ()) if r.at <= e.at]
        data = {"id": f"{rule.id}|{person}", "rule": rule.id, "preceded": int(bool(before))}
        show = {"person": person, "on": e.day.isoformat(), "key": person,
                "registered_on": None if person not in registered
                else registered[person].isoformat()}
        out.append(Fact(data, show, "person", person, person=person, on=e.day))
    return out


def first_registered(world: World) -> dict[str, date]:
    """Each person's first registration day in the registry (``people_registered``)."""
    found = world.memo.get("first_registered")
    if found is None:
        found = {}
        for e in world.registry:
            if e.type == "people_registered":
                for person in e.payload.people:
                    found.setdefault(person.id, e.day)
        world.memo["first_registered"] = found
    return found


JOURNAL_KINDS = (DeadlineRule, DailyMarkingRule, CompleteMarksRule, ApprovalRule, AuthorshipRule,
                 OccurrenceRule, IntegratedSheetRule, SeparationOfDutiesRule)
REGISTRY_KINDS = (PeriodicRule, SetupRule, PrecedesRule, SeparationOfDutiesRule)


def journal_facts(rules: Sequence[RuleBase], view: JournalView, world: World,
                  policy: Policy) -> list[tuple[RuleBase, Fact]]:
    out: list[tuple[RuleBase, Fact]] = []
    for rule in rules:
        facts: list[Fact]
        match rule:
            case DeadlineRule():
                facts = deadline_facts(rule, view, world, policy)
            case DailyMarkingRule():
                facts = daily_facts(rule, view, world)
            case CompleteMarksRule():
                facts = complete_facts(rule, view, world)
            case ApprovalRule():
                facts = approval_facts(rule, view, world, policy)
            case AuthorshipRule():
                facts = authorship_facts(rule, view, world, policy)
            case OccurrenceRule():
                facts = occurrence_facts(rule, view, world)
            case IntegratedSheetRule():
                facts = integrated_facts(rule, view, world)
            case SeparationOfDutiesRule():
                facts = separation_facts(rule, view)
            case _:
                facts = []
        out.extend((rule, f) for f in facts)
    return out


def registry_facts(rule: RuleBase, world: World) -> list[Fact]:
    match rule:
        case PeriodicRule():
            return periodic_facts(rule, world)
        case SetupRule():
            return setup_facts(rule, world)
        case PrecedesRule():
            return precedes_facts(rule, world)
        case SeparationOfDutiesRule():
            return self_grant_facts(rule, world)
    return []
