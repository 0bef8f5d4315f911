"""The rule kinds of a ruleset, as typed classes (a tagged union on ``kind``).

Each kind knows its own vocabulary (which anchors, events, counts it accepts), checks it at load
(``problems``), and says which conditions the engine compiles for it (``conditions``): the
numbers of the SOP (3 days, the ladder bounds) go into those conditions, never into Python code.
Measuring the facts a condition tests (counting days, aggregating marks) is ``_facts``' job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._actions import COMMAND_SCOPES
from journal_rules._commands import JOURNAL_EVENT_ACTIONS, REGISTRY_EVENTS
from journal_rules._convert import bounded
from journal_rules._decision import Messages, Phrase
from journal_rules._errors import Problem, suggest
from journal_rules._grading._finishing import DEFAULT_TIE_BREAK, TIE_BREAKS

from ._calendar import DayCounting

Outcome = Literal["violation", "pending", "register"]
SEVERITIES = frozenset({"info", "warning", "error"})
CONTROL_KINDS = frozenset({"current", "milestone", "intermediate", "final"})

# Where a deadline's clock starts and what stops it (see docs/policy-authors.md).
START_ANCHORS = frozenset({"control_end", "control_held", "closed", "note_submitted",
                           "visas_complete", "reopened"})
END_ANCHORS = frozenset({"closed", "grade_sheet", "note_submitted", "visas_complete",
                         "note_reviewed", "marks_entered"})
# How a term deadline calendar (T12) combines with a rule's own ``days``: ``replace`` (the
# calendar's date is the due date) or ``bound`` (the earlier of the two).
TERM_CALENDAR_MODES = frozenset({"replace", "bound"})
SETUP_EVENTS = frozenset({"contingent_loaded", "curriculum_loaded", "plan_uploaders_assigned",
                          "calendar_plan_loaded", "deadline_calendar_set"})
SETUP_PER = {"contingent_loaded": {"year"}, "curriculum_loaded": {"year", "unit"},
             "plan_uploaders_assigned": {"unit"}, "calendar_plan_loaded": {"unit"},
             "deadline_calendar_set": {"term"}}
# What of a curriculum load a setup rule asks for (P2-P4), and per what it is asked: course units
# starting in the year (P2), working-curriculum lines for the year's terms (P3), each unit of the
# year carrying its teaching and assessment methods (P4).
SETUP_COVERS = {"curriculum_loaded": {"units": "year", "curriculum": "year", "methods": "unit"}}
# Periodic rules count registry events per month, occurrence rules journal events of a control;
# both lists are derived from the commands (what they record), so a rule over an event no command
# records is refused at load: it could never fire.
PERIODIC_EVENTS = REGISTRY_EVENTS
PRECEDES_SUBJECTS = frozenset({"first_journal_action", "login_issued"})
PRECEDES_REQUIRES = frozenset({"login_issued", "login_requested"})
OCCURRENCE_EVENTS = frozenset(JOURNAL_EVENT_ACTIONS)
# The actions a journal event carries: what an authorship rule can see in a journal's log.
AUTHORED_ACTIONS = frozenset(JOURNAL_EVENT_ACTIONS.values())
# Setup and precedes rules read these events' own fields; each must still be recorded by a command.
_NOT_RECORDED = (SETUP_EVENTS | (PRECEDES_SUBJECTS - {"first_journal_action"})
                 | PRECEDES_REQUIRES) - REGISTRY_EVENTS
if _NOT_RECORDED:  # pragma: no cover - a mechanism bug, caught by any import
    raise RuntimeError(f"rule vocabularies name events no command records: {_NOT_RECORDED}")
LADDER_AGAINST = frozenset({"teacher", "department"})
PERIODS = frozenset({"academic_year", "term", "all"})
# What a journal is about: a discipline, an ИД's or a module's own journal, an ИД's block, a
# module's modular discipline (T5-T7).
JOURNAL_COURSES = frozenset({"discipline", "integrated", "module", "block",
                             "modular_discipline"})
# The journals grading forms a regular sheet for (the others have no exam of their own, T6, T7).
REGULAR_SHEET_COURSES = frozenset({"discipline", "modular_discipline"})
# What a deadline over the visas a note is owed also shows (see ``_facts._visa_facts``).
VISA_FIELDS = frozenset({"missing", "given", "late", "required", "note_on"})


#: Bounds on a rule's numbers: a deadline of ten years, a count of a hundred thousand; beyond them
#: a value is a typo or an attack (``days: 1e18`` would make the day counting run for ever).
MAX_DAYS = 3660
MAX_COUNT = 100_000

#: What every refusal by the guard carries besides the rule's own facts (see GuardContext.facts).
_GUARD_FIELDS = frozenset({"actor", "action", "on", "at", "actor_roles", "journal", "control",
                           "state", "rule"})


@attrs.frozen
class Responsible:
    """Who answers for a rule: holders of ``role`` narrowed by ``scope`` (as in permissions)."""

    role: str
    scope: str = "any"


def _eq(field: str, value: Any) -> dict[str, Any]:
    return {field: value}


def _op(op: str, field: str, value: int) -> dict[str, Any]:
    return {op: {field: value}}


def _all(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"$and": list(conds)}


def _any(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"$or": list(conds)}


@attrs.frozen(kw_only=True)
class RuleBase:
    """What every rule has: id, SOP clauses, who answers, severity, and messages in ru/kk/en.

    ``messages`` explain a violation; ``pending`` (where the kind has obligations still due)
    explains an obligation that is not yet broken.
    """

    kind_name: ClassVar[str] = ""
    #: The facts this kind's findings (and refusals) carry: the only ``{fields}`` its messages
    #: may name (checked at load). A kind that shows a new fact adds its name here; ``None``
    #: (a kind that declares nothing) checks only the placeholders' form.
    message_fields: ClassVar[frozenset[str] | None] = None

    id: str
    clauses: tuple[str, ...]
    responsible: tuple[Responsible, ...] = ()
    severity: str = "warning"
    description: str = ""
    messages: Messages
    pending: Messages | None = None
    # How the messages word a fact: a date that never came reads «не закрыт», not «закрыт —».
    phrases: Mapping[str, Phrase] = attrs.field(factory=dict)

    def fields(self) -> frozenset[str] | None:
        """The facts this rule's findings carry (its kind's ``message_fields``, or more where
        its settings add facts)."""
        return type(self).message_fields

    def conditions(self) -> dict[str, dict[str, Any]]:
        """The engine conditions by outcome (``violation``, ``pending``, or a ladder's ``stepN``)
        over this rule's facts (each fact carries ``rule``: this id)."""
        raise NotImplementedError

    def at_guard(self) -> bool:
        """Whether the guard asks this rule before a change (otherwise: audit only)."""
        return False

    def problems(self, context: RuleContext) -> list[Problem]:
        return []

    def parameters(self) -> dict[str, Any]:
        """The rule's own settings, as shown by ``rules explain``."""
        skip = {"id", "clauses", "responsible", "severity", "description", "messages", "pending",
                "kind", "phrases"}
        return {a.name: getattr(self, a.name) for a in attrs.fields(type(self))
                if a.name not in skip}


@attrs.frozen
class RuleContext:
    """What a rule's load-time checks may consult: the ruleset's roles, scopes and rule ids."""

    roles: frozenset[str]
    scopes: frozenset[str]
    rule_ids: frozenset[str]
    actions: frozenset[str]


def _choice(value: str, valid: frozenset[str] | set[str], what: str, path: str) -> list[Problem]:
    if value in valid:
        return []
    return [Problem(f"unknown {what} {value!r}; one of: {', '.join(sorted(valid))}", path=path,
                    suggestion=suggest(value, set(valid)))]


def _never(event: str, valid: frozenset[str], what: str) -> list[Problem]:
    """A rule over an event no command records could never fire: say so, with the nearest."""
    if event in valid:
        return []
    return [Problem(f"event {event!r} is no {what}: this rule could never fire; one of: "
                    f"{', '.join(sorted(valid))}", path="event", suggestion=suggest(event, valid))]


def _controls(kinds: tuple[str, ...]) -> list[Problem]:
    out: list[Problem] = []
    for i, k in enumerate(kinds):
        out += _choice(k, CONTROL_KINDS, "control kind", f"control_kinds[{i}]")
    return out


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
    per submitted note (see ``_facts._visa_facts``). ``counting``: calendar or working days
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
    message_fields: ClassVar[frozenset[str]] = _GUARD_FIELDS | frozenset({
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

    def fields(self) -> frozenset[str] | None:
        # The visas owed per note (end: visas_complete, not optional) are named by role.
        if self.end == "visas_complete" and not self.optional:
            return self.message_fields | VISA_FIELDS
        return self.message_fields

    def conditions(self) -> dict[str, dict[str, Any]]:
        # Facts of source "rule" count ``elapsed`` days against ``days`` here; facts of source
        # "term_calendar" carry how many days past the calendar's date the end came.
        days = 0 if self.days is None else self.days
        late = _any(_all(_eq("source", "rule"), _op("$gt", "elapsed", days)),
                    _all(_eq("source", "term_calendar"), _op("$gt", "past_calendar", 0)))
        on_time = _any(_all(_eq("source", "rule"), _op("$lte", "elapsed", days)),
                       _all(_eq("source", "term_calendar"), _op("$lte", "past_calendar", 0)))
        return {"violation": _all(_eq("rule", self.id), late),
                "pending": _all(_eq("rule", self.id), _eq("done", 0), on_time)}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = _choice(self.start, START_ANCHORS, "start", "start")
        out += _choice(self.end, END_ANCHORS, "end", "end")
        out += _controls(self.control_kinds)
        out += _choice(self.term_calendar, TERM_CALENDAR_MODES, "term_calendar", "term_calendar")
        out += _choice(self.current_per, {"control", "class"}, "current_per", "current_per")
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
            out += _choice(c, JOURNAL_COURSES, "journal", f"journals[{i}]")
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


@attrs.frozen(kw_only=True)
class DailyMarkingRule(RuleBase):
    """Every student of the group has a mark (or a code) for each class day of the rule's
    ``control_kinds``, entered at most ``lag_days`` after the class (T3, T15, P12).

    ``courses``: ``short`` (only course units, blocks or modular disciplines of at most
    ``max_course_days`` days, counted as ``course_counting`` says: ``calendar`` days or
    ``working`` (study) days) or ``all``. Class days are the КТП's dates within the control's
    where a plan is loaded, else the control's working days (and any day marks were entered for).
    """

    kind_name: ClassVar[str] = "daily_marking"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "control", "day", "entered_on", "course_days", "max_course_days", "missing",
        "late", "students", "lag_days", "due", "key"})
    kind: Literal["daily_marking"] = "daily_marking"
    max_course_days: int = attrs.field(metadata=bounded(1, MAX_DAYS))
    lag_days: int = attrs.field(default=0, metadata=bounded(0, MAX_DAYS))
    control_kinds: tuple[str, ...] = ("current",)
    courses: str = "short"
    course_counting: DayCounting = "calendar"

    def conditions(self) -> dict[str, dict[str, Any]]:
        # ``lag``: the most days late any student's cell of the day was filled; ``marked``: every
        # student's cell is filled; ``waited``: days since the class while some are not.
        late = _any(_op("$gt", "lag", self.lag_days),
                    _all(_eq("marked", 0), _op("$gt", "waited", self.lag_days)))
        waiting = _all(_eq("marked", 0), _op("$lte", "lag", self.lag_days),
                       _op("$lte", "waited", self.lag_days))
        scope = [_eq("rule", self.id)]
        if self.courses == "short":
            scope.append(_op("$lte", "course_days", self.max_course_days))
        return {"violation": _all(*scope, late), "pending": _all(*scope, waiting)}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = _controls(self.control_kinds)
        out += _choice(self.courses, {"short", "all"}, "courses", "courses")
        out += _choice(self.course_counting, {"calendar", "working"}, "course_counting",
                       "course_counting")
        if self.lag_days < 0:
            out.append(Problem("lag_days must not be negative", path="lag_days"))
        return out


@attrs.frozen(kw_only=True)
class CompleteMarksRule(RuleBase):
    """When a control of ``control_kinds`` is closed, every student of the group has at least one
    mark (or code) in it (T3, T15: missing marks are findings, not silence). Controls the SOP's
    structure leaves empty are not asked (an ИД's own journal holds only its exam, its blocks no
    exam, a module's own journal nothing: T6, T7). ``refuse``: the guard refuses such a closing,
    naming the students (otherwise the audit reports it)."""

    kind_name: ClassVar[str] = "complete_marks"
    message_fields: ClassVar[frozenset[str]] = _GUARD_FIELDS | frozenset({
        "journal", "control", "on", "students", "missing", "count", "key"})
    kind: Literal["complete_marks"] = "complete_marks"
    control_kinds: tuple[str, ...] = ("current", "milestone", "intermediate", "final")
    refuse: bool = False

    def at_guard(self) -> bool:
        return self.refuse

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": _all(_eq("rule", self.id), _op("$gt", "missing", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        return _controls(self.control_kinds)


@attrs.frozen(kw_only=True)
class PeriodicRule(RuleBase):
    """``event`` happens at least ``at_least`` times every month of the academic year (P9)."""

    kind_name: ClassVar[str] = "periodic"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "month", "count", "at_least", "key"})
    kind: Literal["periodic"] = "periodic"
    event: str
    every: Literal["month"] = "month"
    at_least: int = attrs.field(default=1, metadata=bounded(0, MAX_COUNT))

    def conditions(self) -> dict[str, dict[str, Any]]:
        few = _op("$lt", "count", self.at_least)
        return {"violation": _all(_eq("rule", self.id), _eq("complete", 1), few),
                "pending": _all(_eq("rule", self.id), _eq("complete", 0), few)}

    def problems(self, context: RuleContext) -> list[Problem]:
        return _never(self.event, PERIODIC_EVENTS, "registry event recorded by a command")


@attrs.frozen(kw_only=True)
class SetupRule(RuleBase):
    """A setup step done ``per`` year, course unit or term, by ``due`` (P1-P6, T12).

    Each obligation belongs to its own academic year (or term): only what was recorded for that
    year satisfies it. ``covers`` says what of a curriculum load is asked for (see
    :data:`SETUP_COVERS`).

    ``due``: ``MM-DD`` (the last such day on or before the academic year starts) or
    ``term_start``. ``opens``: ``MM-DD`` before which nothing is due yet (default: one month
    before ``due``)."""

    kind_name: ClassVar[str] = "setup"
    message_fields: ClassVar[frozenset[str]] = frozenset().union(*SETUP_PER.values()) | {
        "year", "due", "done_on", "key"}
    kind: Literal["setup"] = "setup"
    event: str
    per: str = "year"
    covers: str | None = None
    due: str
    opens_days_before: int = attrs.field(default=30, metadata=bounded(0, MAX_DAYS))

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": _all(_eq("rule", self.id), _op("$gt", "late", 0)),
                "pending": _all(_eq("rule", self.id), _eq("done", 0), _op("$lte", "late", 0),
                                _op("$gte", "late", -self.opens_days_before))}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = _choice(self.event, SETUP_EVENTS, "event", "event")
        if not out:
            out += _choice(self.per, SETUP_PER[self.event], "per", "per")
            covers = SETUP_COVERS.get(self.event, {})
            if covers and self.covers is None:
                out.append(Problem(f"a setup rule on {self.event} says what it covers: one of "
                                   f"{', '.join(sorted(covers))}", path="covers"))
            elif self.covers is not None:
                out += _choice(self.covers, set(covers), f"covers of {self.event}", "covers")
                if not out and covers[self.covers] != self.per:
                    out.append(Problem(f"covers {self.covers!r} is checked per "
                                       f"{covers[self.covers]}, not per {self.per}", path="per"))
        if self.due != "term_start" and not _month_day(self.due):
            out.append(Problem(f"due {self.due!r} is neither MM-DD nor term_start", path="due"))
        return out


def _month_day(text: str) -> bool:
    month, sep, day = text.partition("-")
    return bool(sep) and month.isdigit() and day.isdigit() and 1 <= int(month) <= 12 \
        and 1 <= int(day) <= 31


@attrs.frozen(kw_only=True)
class PrecedesRule(RuleBase):
    """For each person, ``subject`` (their first journal action, or their login being issued)
    comes after ``requires`` (their login issued, or requested with form F2) (T18, P7, P8).

    ``applies_to``: ``everyone``, or ``new_staff`` only: people first registered in the registry
    within the academic year of the subject, or at most ``new_staff_lead_days`` before it starts
    (when P7's requests are made, «до начала учебного года»)."""

    kind_name: ClassVar[str] = "precedes"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "person", "on", "key", "registered_on"})
    kind: Literal["precedes"] = "precedes"
    subject: str
    requires: str
    applies_to: str = "everyone"
    new_staff_lead_days: int = 92

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": _all(_eq("rule", self.id), _eq("preceded", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = (_choice(self.subject, PRECEDES_SUBJECTS, "subject", "subject")
               + _choice(self.requires, PRECEDES_REQUIRES, "requires", "requires")
               + _choice(self.applies_to, {"everyone", "new_staff"}, "applies_to",
                         "applies_to"))
        if self.new_staff_lead_days < 0:
            out.append(Problem("new_staff_lead_days must not be negative",
                               path="new_staff_lead_days"))
        return out


@attrs.frozen(kw_only=True)
class ApprovalRule(RuleBase):
    """A reopening needs the explanatory note (the teacher's signature), every visa of the
    ruleset's ``visas`` section (in its order, when it has one), and, if ``require_review``, the
    note reviewed and approved (T14, R2, R3, F3). Acts at guard time on ``reopen`` and in the
    audit over the log. ``messages`` describe a reopening that happened without them (the
    audit); ``refusal`` says, in the present tense, what a reopening asked for now still lacks
    (the guard; ``messages`` when absent)."""

    kind_name: ClassVar[str] = "approval"
    message_fields: ClassVar[frozenset[str]] = _GUARD_FIELDS | frozenset({
        "journal", "control", "on", "has_note", "has_note_text", "note_by", "given",
        "out_of_order", "missing", "required", "approved", "approved_text", "key"})
    kind: Literal["approval"] = "approval"
    require_review: bool = True
    refusal: Messages | None = None

    def at_guard(self) -> bool:
        return True

    def conditions(self) -> dict[str, dict[str, Any]]:
        broken = [_eq("has_note", 0), _op("$gt", "missing_visas", 0),
                  _op("$gt", "out_of_order", 0)]
        if self.require_review:
            broken.append(_eq("approved", 0))
        return {"violation": _all(_eq("rule", self.id), _any(*broken))}


SOD_CONSTRAINTS = frozenset({"distinct_people", "no_self_grant"})
SOD_PROCEDURES = frozenset({"reopening"})
REOPENING_ACTIONS = frozenset({"submit_note", "give_visa", "approve_note", "reject_note",
                               "reopen"})


@attrs.frozen(kw_only=True)
class SeparationOfDutiesRule(RuleBase):
    """Separation of duties, enforced by the guard and reported by the audit.

    ``constraint: no_self_grant``: nobody registers or changes a person so as to give themself a
    role or an org unit they did not hold (the very first registration into an empty registry
    excepted: someone has to be first). ``constraint: distinct_people``: within one
    ``procedure`` (``reopening``: from the explanatory note to the reopening or the rejection),
    each step among ``actions`` is taken by a different person (each visa is its own step).
    ``applies: false`` switches the rule off (a ruleset parameter says whether it holds).
    ``refusal`` says why the guard refuses (``messages``, for the audit's finding, when absent).
    """

    kind_name: ClassVar[str] = "separation_of_duties"
    kind: Literal["separation_of_duties"] = "separation_of_duties"
    constraint: str
    procedure: str | None = None
    actions: tuple[str, ...] = ()
    applies: bool = True
    refusal: Messages | None = None

    def at_guard(self) -> bool:
        return self.applies

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": _all(_eq("rule", self.id), _op("$gt", "breaches", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = _choice(self.constraint, SOD_CONSTRAINTS, "constraint", "constraint")
        if self.constraint == "distinct_people":
            if self.procedure is None:
                out.append(Problem("distinct_people needs a procedure; one of: "
                                   + ", ".join(sorted(SOD_PROCEDURES)), path="procedure"))
            else:
                out += _choice(self.procedure, SOD_PROCEDURES, "procedure", "procedure")
            for i, a in enumerate(self.actions):
                out += _choice(a, set(REOPENING_ACTIONS), "step of a reopening",
                               f"actions[{i}]")
            if len(set(self.actions)) < 2 and "give_visa" not in self.actions:
                out.append(Problem("distinct_people needs at least two steps to keep apart",
                                   path="actions"))
        elif self.constraint == "no_self_grant" and (self.procedure or self.actions):
            out.append(Problem("no_self_grant takes neither procedure nor actions",
                               path="procedure" if self.procedure else "actions"))
        return out


@attrs.frozen(kw_only=True)
class AuthorshipRule(RuleBase):
    """Journal ``actions`` recorded in the log were done by someone the ruleset's permissions
    entitle, on the day concerned (a substitute within their period, T13; one's own login, T18).
    The guard enforces this before a change; the audit re-checks the log."""

    kind_name: ClassVar[str] = "authorship"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "actor", "action", "on", "key"})
    kind: Literal["authorship"] = "authorship"
    actions: tuple[str, ...]

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": _all(_eq("rule", self.id), _eq("entitled", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        out: list[Problem] = []
        for i, a in enumerate(self.actions):
            if a in AUTHORED_ACTIONS:
                continue
            known = "a registry action" if a in context.actions else "no action"
            out.append(Problem(
                f"{a!r} is {known} that a journal event carries: an authorship rule over it could "
                f"never fire; journal actions: {', '.join(sorted(AUTHORED_ACTIONS))}",
                path=f"actions[{i}]", suggestion=suggest(a, AUTHORED_ACTIONS)))
        return out


@attrs.frozen(kw_only=True)
class OccurrenceRule(RuleBase):
    """Every ``event`` is entered in a register (T16: the register of reopenings): a register
    entry, not a violation (a reopening done by the procedure breaks nothing); the ladders count
    reopenings themselves (T20)."""

    kind_name: ClassVar[str] = "occurrence"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "control", "on", "note_by", "by", "department", "teachers", "key"})
    kind: Literal["occurrence"] = "occurrence"
    event: str

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"register": _all(_eq("rule", self.id), _eq("occurred", 1))}

    def problems(self, context: RuleContext) -> list[Problem]:
        return _never(self.event, OCCURRENCE_EVENTS, "journal event recorded by a command")


@attrs.frozen
class LadderStep:
    """One rung: from ``min`` to ``max`` (inclusive; null: no upper bound) counted items."""

    min: int = attrs.field(metadata=bounded(0, MAX_COUNT))
    sanction: str
    messages: Messages
    max: int | None = attrs.field(default=None, metadata=bounded(0, MAX_COUNT))


@attrs.frozen
class LadderCounts:
    """What a ladder counts: reopenings (T20) and violations of the listed rules."""

    reopenings: bool = True
    rules: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class LadderRule(RuleBase):
    """An escalation ladder (S-teacher, S-department): count per teacher or department over the
    ``period`` and pick the step whose bounds hold the count."""

    kind_name: ClassVar[str] = "ladder"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "subject", "count", "period", "sanction", "against", "step", "named", "named_text"})
    kind: Literal["ladder"] = "ladder"
    against: str
    counts: LadderCounts = LadderCounts()
    period: str = "academic_year"
    steps: tuple[LadderStep, ...]
    # Against a department: the roles whose holders in it are named by the sanction (the head
    # of department, T17, T20), as the registry stands at the end of the period.
    names: tuple[str, ...] = ()

    def conditions(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i, step in enumerate(self.steps):
            conds = [_eq("rule", self.id), _op("$gte", "count", step.min)]
            if step.max is not None:
                conds.append(_op("$lte", "count", step.max))
            out[f"step{i}"] = _all(*conds)
        return out

    def problems(self, context: RuleContext) -> list[Problem]:
        out = _choice(self.against, LADDER_AGAINST, "against", "against")
        out += _choice(self.period, PERIODS, "period", "period")
        for i, role in enumerate(self.names):
            if context.roles and role not in context.roles:
                out.append(Problem(f"unknown role {role!r}", path=f"names[{i}]",
                                   suggestion=suggest(role, context.roles)))
        for i, r in enumerate(self.counts.rules):
            out += _choice(r, set(context.rule_ids), "rule", f"counts.rules[{i}]")
        previous: int | None = 0
        for i, step in enumerate(self.steps):
            if step.max is not None and step.max < step.min:
                out.append(Problem("max is below min", path=f"steps[{i}]"))
            if previous is None or step.min != previous + 1:
                out.append(Problem(f"step starts at {step.min}; the steps must follow on without "
                                   "gaps or overlaps from 1", path=f"steps[{i}].min"))
            previous = step.max
        if not self.steps:
            out.append(Problem("a ladder needs at least one step", path="steps"))
        return out


@attrs.frozen(kw_only=True)
class IntegratedSheetRule(RuleBase):
    """For an integrated discipline or a module, the integrated grade sheet (``sheet_kind``) of
    its journal's ``control_kinds`` is formed within ``days`` by the department that finishes the
    teaching: the one whose block or modular discipline ends last, ties broken by ``tie_break``
    as grading breaks them (T10, P11). The sheet is looked for where the API records it: on the
    finishing part's journal."""

    kind_name: ClassVar[str] = "integrated_sheet"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "unit", "control", "recorded_on", "start", "due", "done_on", "finishing",
        "finishing_part", "by_department", "by", "elapsed", "days", "counting", "key"})
    kind: Literal["integrated_sheet"] = "integrated_sheet"
    days: int = attrs.field(metadata=bounded(0, MAX_DAYS))
    sheet_kind: str = "integrated"
    control_kinds: tuple[str, ...] = ("intermediate", "final")
    counting: DayCounting | None = None
    tie_break: str = DEFAULT_TIE_BREAK

    def conditions(self) -> dict[str, dict[str, Any]]:
        bad = _any(_op("$gt", "elapsed", self.days), _all(_eq("done", 1), _eq("by_finishing", 0)))
        return {"violation": _all(_eq("rule", self.id), bad),
                "pending": _all(_eq("rule", self.id), _eq("done", 0),
                                _op("$lte", "elapsed", self.days))}

    def problems(self, context: RuleContext) -> list[Problem]:
        return _controls(self.control_kinds) + _choice(self.tie_break, TIE_BREAKS, "tie-break",
                                                       "tie_break")


Rule = (DeadlineRule | DailyMarkingRule | CompleteMarksRule | PeriodicRule | SetupRule
        | PrecedesRule | ApprovalRule | AuthorshipRule | OccurrenceRule | LadderRule
        | IntegratedSheetRule | SeparationOfDutiesRule)
RULE_KINDS: Mapping[str, type[RuleBase]] = {
    cls.kind_name: cls for cls in (DeadlineRule, DailyMarkingRule, CompleteMarksRule,
                                   PeriodicRule, SetupRule, PrecedesRule, ApprovalRule,
                                   AuthorshipRule, OccurrenceRule, LadderRule,
                                   IntegratedSheetRule, SeparationOfDutiesRule)
}


def rule_problems(rule: RuleBase, context: RuleContext) -> list[Problem]:
    """Load-time checks common to every rule, then the kind's own."""
    out: list[Problem] = []
    if rule.severity not in SEVERITIES:
        out.append(Problem(f"unknown severity {rule.severity!r}", path="severity",
                           suggestion=suggest(rule.severity, SEVERITIES)))
    if not rule.clauses:
        out.append(Problem("a rule names at least one SOP clause", path="clauses"))
    for i, r in enumerate(rule.responsible):
        if r.role not in context.roles:
            out.append(Problem(f"unknown role {r.role!r}", path=f"responsible[{i}].role",
                               suggestion=suggest(r.role, context.roles)))
        if r.scope not in context.scopes:
            out.append(Problem(f"unknown scope {r.scope!r}", path=f"responsible[{i}].scope",
                               suggestion=suggest(r.scope, context.scopes)))
        elif r.scope in COMMAND_SCOPES:
            usable = context.scopes - COMMAND_SCOPES
            out.append(Problem(f"scope {r.scope!r} looks at a command, not at a finding: it "
                               "would name nobody responsible", path=f"responsible[{i}].scope",
                               suggestion=suggest(r.scope, usable) or "journal_department"))
    return out + rule.problems(context)
