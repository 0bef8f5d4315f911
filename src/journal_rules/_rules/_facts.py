"""From the event log to what facts are made of: the world the audit reads and the fact type.

Python does the measuring (it reads events, aggregates marks per journal and day, counts days in
the ruleset's calendar); the rule's thresholds are compared in the engine. A fact is a flat dict
of text and numbers with a unique ``id`` and the ``rule`` it is for; ``show`` holds what the
finding reports (dates as ISO text). Each rule kind makes its own facts from this module's
:class:`World` and :class:`JournalView` (see :mod:`journal_rules._rules.kinds`); what several
kinds measure alike (class days, a group's members on a day) is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from journal_rules._directory import Directory, RegistryView
from journal_rules._events import (
    JOURNAL_PREFIX,
    JournalOpened,
    MarkCorrected,
    MarksEntered,
    Stream,
    payload_of,
    structure_payload,
)
from journal_rules._model import CalendarPlan, ControlPoint, JournalSpec
from journal_rules._storage import Storage, StoredEvent, read_streams

from ._calendar import Calendar, DayCounting


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


Progress = Callable[[str, int, int], None]
"""Told how far a long task is: (phase, done, total)."""


def read_world(store: Storage, as_of: date, calendar: Calendar, *,
               progress: Progress | None = None) -> World:
    """Read the store as it stood at the end of ``as_of`` (university time); ``progress`` is
    told ``("read", journals read, journal streams)``."""
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
    total = 0 if progress is None else sum(
        1 for info in store.streams() if info.name.startswith(JOURNAL_PREFIX))
    # one scan where the store has one
    for done, (_, events) in enumerate(read_streams(store, JOURNAL_PREFIX), start=1):
        if progress is not None:
            progress("read", done, max(total, done))
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
        if event.type == MarksEntered.type:
            data = _aggregate_marks(event, day, first_entry, dates,
                                    student_entry=student_entry, student_first=student_first)
        elif event.type == MarkCorrected.type:
            _aggregate_correction(event, day, student_entry, student_first, dates)
        ev = Ev(event.type, event.actor, event.recorded_at, day, on=event.occurred_on, data=data,
                position=event.version)
        evs.append(ev)
        if event.type == JournalOpened.type:
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


# --- shared by several kinds -------------------------------------------------------------------

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


def group_members(world: World, group: str, on: date) -> list[str]:
    """Ids of the group's students as the contingent stood at the end of ``on`` (a student who
    joined later is not asked for earlier marks; one who moved away still was)."""
    key = ("group_members", group, on)
    members: list[str] | None = world.memo.get(key)
    if members is None:
        members = world.memo[key] = [st.id for st in world.registry_on(on).students_of(group)]
    return members


def counting_of(counting: DayCounting | None, calendar: Calendar) -> DayCounting:
    """A rule's own day counting, or the ruleset calendar's when it sets none."""
    return counting or calendar.spec.days
