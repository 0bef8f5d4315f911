"""Deadlines: something must follow something else within so many days (T11, T12, P10, R1,
R2, R4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._convert import bounded
from journal_rules._directory import RegistryView
from journal_rules._errors import Problem
from journal_rules._events import (
    ControlHeld,
    DeadlineCalendarSet,
    DeadlineEntry,
    GradeSheetFormed,
    JournalClosed,
    JournalReopened,
    MarkCorrected,
    MarksEntered,
    NoteApproved,
    NoteRejected,
    NoteSubmitted,
    VisaGiven,
)
from journal_rules._guard import GuardContext
from journal_rules._model import ControlPoint, CourseKind
from journal_rules._policy import Policy
from journal_rules._rules._calendar import Calendar, DayCounting
from journal_rules._rules._facts import Ev, Fact, JournalView, World, class_days, counting_of

from ._base import (
    GUARD_FIELDS,
    MAX_DAYS,
    GuardAsk,
    RuleBase,
    RuleContext,
    all_of,
    any_of,
    choice,
    controls,
    eq,
    op,
)

# Where a deadline's clock starts and what stops it (see docs/policy-authors.md).
START_ANCHORS = frozenset({"control_end", "control_held", "closed", "note_submitted",
                           "visas_complete", "reopened"})
END_ANCHORS = frozenset({"closed", "grade_sheet", "note_submitted", "visas_complete",
                         "note_reviewed", "marks_entered"})
# How a term deadline calendar (T12) combines with a rule's own ``days``: ``replace`` (the
# calendar's date is the due date) or ``bound`` (the earlier of the two).
TERM_CALENDAR_MODES = frozenset({"replace", "bound"})
# What a journal is about: a discipline, an ИД's or a module's own journal, an ИД's block, a
# module's modular discipline (T5-T7).
JOURNAL_COURSES = frozenset({"discipline", "integrated", "module", "block",
                             "modular_discipline"})
# The journals grading forms a regular sheet for (the others have no exam of their own, T6, T7).
REGULAR_SHEET_COURSES = frozenset({"discipline", "modular_discipline"})
# What a deadline over the visas a note is owed also shows (see ``_visa_facts``).
VISA_FIELDS = frozenset({"missing", "given", "late", "required", "note_on"})


@attrs.frozen(kw_only=True)
class DeadlineRule(RuleBase):
    """Something must follow something else within ``days`` (T11, T12, P10, R1, R2, R4).

    ``start``: where the clock starts (``control_end``: the control's last day; ``control_held``;
    ``closed``; ``note_submitted``; ``visas_complete``: the last visa the ruleset requires is
    given on the pending note; ``reopened``). ``end``: what stops it (``closed``, ``grade_sheet``
    of ``sheet_kind``, ``note_submitted``, ``visas_complete``, ``note_reviewed``, or
    ``marks_entered``: every mark of the control entered before a reopening is entered by the due
    date). ``optional``: the end need not happen at all (a note is only written if a reopening is
    wanted), but when it does it must be in time. A non-optional ``end: visas_complete`` is owed
    per submitted note (see ``_visa_facts``). ``counting``: calendar or working days
    (default: the ruleset calendar's). ``start_day_counts``: the start day is itself the first
    of the ``days`` (otherwise the first is the day after).
    ``use_term_calendar``: the row of the term's deadline calendar (T12) that covers the control
    gives the due date (``close_by`` for ``closed``, ``marks_by`` for ``marks_entered``), combined
    with ``days`` as ``term_calendar`` says (``replace``: the calendar's date; ``bound``: the
    earlier one). ``days: null`` means the rule has no deadline of its own: only the calendar
    sets one. ``refuse_late_marks``: the guard refuses marks entered into a control after the due
    date (otherwise late marks are only findings). ``current_per``: for ``current`` controls and
    ``end: closed``, whether the clock runs once per control period (``control``) or per class
    day (``class``: each class day's marks are entered within ``days`` of the class).
    ``journals``: the journals it applies to (discipline, integrated / module for an ИД's or a
    module's own journal, block, modular_discipline; default all).
    """

    kind_name: ClassVar[str] = "deadline"
    message_fields: ClassVar[frozenset[str]] = GUARD_FIELDS | frozenset({
        "journal", "control", "control_kind", "start", "due", "done_on", "elapsed", "days",
        "counting", "deadline_source", "key", "order"})
    kind: Literal["deadline"] = "deadline"
    start: str
    end: str
    days: int | None = attrs.field(metadata=bounded(0, MAX_DAYS))
    control_kinds: tuple[str, ...] = ("current", "milestone", "intermediate", "final")
    sheet_kind: str | None = None
    optional: bool = False
    counting: DayCounting | None = None
    start_day_counts: bool = False
    use_term_calendar: bool = False
    term_calendar: str = "replace"
    refuse_late_marks: bool = False
    current_per: str = "control"
    journals: tuple[str, ...] = tuple(sorted(JOURNAL_COURSES))

    def at_guard(self) -> bool:
        return self.refuse_late_marks

    def asks(self, action: str) -> bool:
        if self.end == "marks_entered":
            return action in ("enter_mark", "correct_mark")
        return action == "enter_mark" and self.end == "closed"

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return deadline_facts(self, view, world, policy)

    def guard_facts(self, ask: GuardAsk) -> list[Fact]:
        control = ask.context.control
        if ask.view is None or ask.world is None or control is None \
                or _reopened(ask.view, control.point.id):
            return []
        return _deadline_asks(self, ask.view, ask.world, ask.context, ask.policy)

    def fields(self) -> frozenset[str] | None:
        # The visas owed per note (end: visas_complete, not optional) are named by role.
        if self.end == "visas_complete" and not self.optional:
            return self.message_fields | VISA_FIELDS
        return self.message_fields

    def conditions(self) -> dict[str, dict[str, Any]]:
        # Facts of source "rule" count ``elapsed`` days against ``days`` here; facts of source
        # "term_calendar" carry how many days past the calendar's date the end came.
        days = 0 if self.days is None else self.days
        late = any_of(all_of(eq("source", "rule"), op("$gt", "elapsed", days)),
                    all_of(eq("source", "term_calendar"), op("$gt", "past_calendar", 0)))
        on_time = any_of(all_of(eq("source", "rule"), op("$lte", "elapsed", days)),
                       all_of(eq("source", "term_calendar"), op("$lte", "past_calendar", 0)))
        return {"violation": all_of(eq("rule", self.id), late),
                "pending": all_of(eq("rule", self.id), eq("done", 0), on_time)}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = choice(self.start, START_ANCHORS, "start", "start")
        out += choice(self.end, END_ANCHORS, "end", "end")
        out += controls(self.control_kinds)
        out += choice(self.term_calendar, TERM_CALENDAR_MODES, "term_calendar", "term_calendar")
        out += choice(self.current_per, {"control", "class"}, "current_per", "current_per")
        if self.days is not None and self.days < 0:
            out.append(Problem("days must not be negative", path="days"))
        if self.use_term_calendar and self.end not in ("closed", "marks_entered"):
            out.append(Problem("a term calendar (T12) sets closing and mark-entry deadlines "
                               "only: use_term_calendar needs end: closed or marks_entered",
                               path="use_term_calendar"))
        if self.end == "marks_entered" and self.start != "control_end":
            out.append(Problem("marks are due counting from the control's end: end "
                               "marks_entered needs start: control_end", path="start"))
        if self.current_per == "class" and (self.end != "closed" or self.start != "control_end"):
            out.append(Problem("current_per: class counts from each class day to the closing: "
                               "it needs start: control_end and end: closed",
                               path="current_per"))
        if self.end == "grade_sheet" and not self.sheet_kind:
            out.append(Problem("an end at grade_sheet needs sheet_kind", path="sheet_kind"))
        for i, c in enumerate(self.journals):
            out += choice(c, JOURNAL_COURSES, "journal", f"journals[{i}]")
            if self.end == "grade_sheet" and self.sheet_kind == "regular" \
                    and c in JOURNAL_COURSES - REGULAR_SHEET_COURSES:
                # Grading refuses a regular sheet there: the deadline could only ever be broken.
                out.append(Problem(
                    f"no regular grade sheet is formed for a {c} journal (it has no exam of its "
                    "own): this deadline could never be met", path=f"journals[{i}]",
                    suggestion="journals: [" + ", ".join(sorted(REGULAR_SHEET_COURSES)) + "]"))
        if self.start == self.end:
            out.append(Problem(f"start and end are both {self.start!r}: the clock would stop "
                               "where it starts", path="end"))
        return out


def visa_completions(evs: Sequence[Ev], required: Sequence[str]) -> list[Ev]:
    """The events at which a note got the last of the ``required`` visas: per note (a new note
    starts over), the visa after which every required role had given one."""
    out: list[Ev] = []
    given: set[str] | None = None
    wanted = set(required)
    for e in evs:
        if e.type == NoteSubmitted.type:
            given = set()
            if not wanted:
                out.append(e)  # nothing to wait for: the note is complete as submitted
                given = None
        elif e.type == NoteRejected.type:
            given = None
        elif e.type == VisaGiven.type and given is not None:
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
        if e.type == NoteSubmitted.type:
            note, given = e, {}
            if not wanted:
                out.append(VisaRun(e, {}, e))
                note = None
        elif e.type == NoteRejected.type:
            note = None
        elif e.type == VisaGiven.type and note is not None and e.payload.role in wanted:
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
    # The start anchors (ruleset vocabulary) and the event each means.
    types = {"control_held": ControlHeld.type, "closed": JournalClosed.type,
             "note_submitted": NoteSubmitted.type, "reopened": JournalReopened.type}
    wanted = types[rule.start]
    out = []
    for e in evs:
        if e.type == wanted:
            day = e.payload.on if wanted == ControlHeld.type else e.day
            out.append((day, e.position))
    return out


def _is_end(rule: DeadlineRule, e: Ev) -> bool:
    match rule.end:
        case "closed":
            return e.type == JournalClosed.type
        case "grade_sheet":
            return e.type == GradeSheetFormed.type and e.payload.kind == rule.sheet_kind
        case "note_submitted":
            return e.type == NoteSubmitted.type
        case "note_reviewed":
            return e.type in (NoteApproved.type, NoteRejected.type)
    return False


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
    """What the journal is about (see ``JOURNAL_COURSES``); None for an unknown unit."""
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
    counting = counting_of(rule.counting, cal)
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
        for n, (start, finish) in enumerate(_start_end_pairs(rule, starts, ends)):
            if start > world.as_of:
                continue
            fact = _deadline_fact(rule, view, world, point, start=start, n=n,
                                  done_on=None if finish is None else finish.day,
                                  counting=counting)
            if fact is not None:
                out.append(fact)
    return out


def _start_end_pairs(rule: DeadlineRule, starts: Sequence[tuple[date, int]],
                     ends: Sequence[Ev]) -> list[tuple[date, Ev | None]]:
    """Each clock's start day and the event that stopped it (None while running). An optional
    step starts a clock only when it is done: each end is paired with the last start before
    it; otherwise each start runs until the first end after it."""
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
    return pairs


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
        if e.type == JournalReopened.type:
            break
        if e.type in (MarksEntered.type, MarkCorrected.type) and (last is None or e.day > last):
            last = e.day
    if point.ends > world.as_of and entered is None:
        return None
    return _deadline_fact(rule, view, world, point, start=point.ends,
                          done_on=max(last, point.ends) if last is not None else point.ends,
                          n=0, counting=counting_of(rule.counting, cal), always_done=True)


def _deadline_asks(rule: DeadlineRule, view: JournalView, world: World,
                   context: GuardContext, policy: Policy) -> list[Fact]:
    """The facts of ``rule`` as they would stand with the marks of the command entered today."""
    assert context.control is not None
    point = context.control.point
    if point.kind.value not in rule.control_kinds:
        return []
    if rule.end == "marks_entered":
        fact = marks_fact(rule, view, world, point, entered=world.as_of)
        return [] if fact is None else [fact]
    on = getattr(context.command, "on", None)
    per_class = rule.current_per == "class" and point.kind.value == "current"
    out = []
    for fact in deadline_facts(rule, view, world, policy):
        if fact.control != point.id or fact.data["done"] != 0:
            continue
        if per_class and (on is None or fact.show["key"] != on.isoformat()):
            continue  # a class day's clock only answers for that day's marks
        out.append(fact)
    return out


def _reopened(view: JournalView, control: str) -> bool:
    return any(e.type == JournalReopened.type for e in view.by_control.get(control, []))
