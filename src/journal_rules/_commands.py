"""Commands: what embedding software asks the gradebook to do, as typed data.

A command names its ``action`` (what a ruleset's permissions and lifecycle refer to) and the
``event`` type it records (what the audit's rules read). The lists derived at the end of this
module (which events are recorded at all, which in journals with which action) are what
``rules lint`` checks rules against, so they cannot drift from the commands. The
gradebook checks it with the guard, turns it into events, and appends them, or refuses it and
changes nothing.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ._model import (
    CalendarPlan,
    CourseUnit,
    CurriculumEntry,
    ExplanatoryNote,
    Group,
    JournalSpec,
    Mark,
    OrgUnit,
    Person,
    Student,
    Substitution,
    Term,
)


def _marks(value: Mapping[str, str | int | Decimal | Mark]) -> Mapping[str, Mark]:
    return {student: m if isinstance(m, Mark) else Mark.parse(m) for student, m in value.items()}


def _mark(value: str | int | Decimal | Mark) -> Mark:
    return value if isinstance(value, Mark) else Mark.parse(value)


def _courseunits(value: Iterable[CourseUnit]) -> tuple[CourseUnit, ...]:
    return tuple(value)

def _curriculumentrys(value: Iterable[CurriculumEntry]) -> tuple[CurriculumEntry, ...]:
    return tuple(value)

def _groups(value: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(value)

def _orgunits(value: Iterable[OrgUnit]) -> tuple[OrgUnit, ...]:
    return tuple(value)

def _persons(value: Iterable[Person]) -> tuple[Person, ...]:
    return tuple(value)

def _students(value: Iterable[Student]) -> tuple[Student, ...]:
    return tuple(value)

def _terms(value: Iterable[Term]) -> tuple[Term, ...]:
    return tuple(value)

def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


# --- on a journal's control event ---------------------------------------------------------------

@attrs.frozen
class EnterMarks:
    """Marks of one class day: ``marks`` maps student id to points or a code («н/б», «О»).
    ``control`` defaults to the control whose dates contain ``on``."""

    action: ClassVar[str] = "enter_mark"
    event: ClassVar[str] = "marks_entered"
    journal: str
    on: date
    marks: Mapping[str, Mark] = attrs.field(converter=_marks)
    control: str | None = None


@attrs.frozen
class CorrectMark:
    """Change one cell; the policy requires a ``reason``."""

    action: ClassVar[str] = "correct_mark"
    event: ClassVar[str] = "mark_corrected"
    journal: str
    student: str
    on: date
    mark: Mark = attrs.field(converter=_mark)
    reason: str | None = None
    control: str | None = None


@attrs.frozen
class HoldClass:
    action: ClassVar[str] = "hold_class"
    event: ClassVar[str] = "class_held"
    journal: str
    on: date
    topic: str = ""
    control: str | None = None


@attrs.frozen
class HoldControl:
    """The control event itself (a milestone test, an exam) took place on ``on``."""

    action: ClassVar[str] = "hold_control"
    event: ClassVar[str] = "control_held"
    journal: str
    control: str
    on: date


@attrs.frozen
class CloseJournal:
    action: ClassVar[str] = "close"
    event: ClassVar[str] = "journal_closed"
    journal: str
    control: str


@attrs.frozen
class FormGradeSheet:
    """A grade sheet: ``kind`` is regular, integrated or individual (after a reopening, R4)."""

    action: ClassVar[str] = "form_grade_sheet"
    event: ClassVar[str] = "grade_sheet_formed"
    journal: str
    control: str
    kind: str = "regular"
    sheet: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class SubmitNote:
    """The teacher's explanatory note (F3) asking to reopen the journal (T14, R1)."""

    action: ClassVar[str] = "submit_note"
    event: ClassVar[str] = "note_submitted"
    journal: str
    control: str
    note: ExplanatoryNote


@attrs.frozen
class GiveVisa:
    """A visa on the pending note, given in the named ``role`` (T14, R2)."""

    action: ClassVar[str] = "give_visa"
    event: ClassVar[str] = "visa_given"
    journal: str
    control: str
    role: str


@attrs.frozen
class ApproveNote:
    action: ClassVar[str] = "approve_note"
    event: ClassVar[str] = "note_approved"
    journal: str
    control: str


@attrs.frozen
class RejectNote:
    action: ClassVar[str] = "reject_note"
    event: ClassVar[str] = "note_rejected"
    journal: str
    control: str
    reason: str | None = None


@attrs.frozen
class Reopen:
    """Open the journal again for changes (T14, R3)."""

    action: ClassVar[str] = "reopen"
    event: ClassVar[str] = "journal_reopened"
    journal: str
    control: str


JOURNAL_COMMANDS = (EnterMarks, CorrectMark, HoldClass, HoldControl, CloseJournal,
                    FormGradeSheet, SubmitNote, GiveVisa, ApproveNote, RejectNote, Reopen)

# --- on the registry ----------------------------------------------------------------------------


@attrs.frozen
class OpenJournal:
    action: ClassVar[str] = "open_journal"
    event: ClassVar[str] = "journal_opened"
    spec: JournalSpec


@attrs.frozen
class RegisterSubstitution:
    action: ClassVar[str] = "register_substitution"
    event: ClassVar[str] = "substitution_registered"
    substitution: Substitution


@attrs.frozen
class RegisterOrgUnits:
    action: ClassVar[str] = "register_org_units"
    event: ClassVar[str] = "org_units_registered"
    units: tuple[OrgUnit, ...] = attrs.field(converter=_orgunits)


@attrs.frozen
class RegisterPeople:
    action: ClassVar[str] = "register_people"
    event: ClassVar[str] = "people_registered"
    people: tuple[Person, ...] = attrs.field(converter=_persons)


@attrs.frozen
class LoadContingent:
    """The groups and students of one academic year (P1): ``academic_year`` like "2025-2026"
    says which year's obligation the load satisfies (a load never counts for another year)."""

    action: ClassVar[str] = "load_contingent"
    event: ClassVar[str] = "contingent_loaded"
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    students: tuple[Student, ...] = attrs.field(converter=_students)
    order: str | None = None
    academic_year: str = attrs.field(kw_only=True)


@attrs.frozen
class LoadCurriculum:
    action: ClassVar[str] = "load_curriculum"
    event: ClassVar[str] = "curriculum_loaded"
    terms: tuple[Term, ...] = attrs.field(converter=_terms)
    units: tuple[CourseUnit, ...] = attrs.field(converter=_courseunits)
    entries: tuple[CurriculumEntry, ...] = attrs.field(converter=_curriculumentrys)


@attrs.frozen
class LoadCalendarPlan:
    action: ClassVar[str] = "load_calendar_plan"
    event: ClassVar[str] = "calendar_plan_loaded"
    plan: CalendarPlan


@attrs.frozen
class AssignPlanUploaders:
    """Who uploads a unit's КТП for one academic year (P5), on the department meeting's
    minutes."""

    action: ClassVar[str] = "assign_plan_uploaders"
    event: ClassVar[str] = "plan_uploaders_assigned"
    department: str
    unit: str
    people: tuple[str, ...] = attrs.field(converter=_strs)
    minutes_number: str = ""
    minutes_date: date | None = None
    academic_year: str = attrs.field(kw_only=True)


@attrs.frozen
class DeadlineRow:
    control_kind: str
    close_by: date
    marks_by: date | None = None


def _deadlinerows(value: Iterable[DeadlineRow]) -> tuple[DeadlineRow, ...]:
    return tuple(value)


@attrs.frozen
class SetDeadlineCalendar:
    """The term's deadlines for marks and closing, approved by the vice-rector's order (T12)."""

    action: ClassVar[str] = "set_deadline_calendar"
    event: ClassVar[str] = "deadline_calendar_set"
    term: str
    rows: tuple[DeadlineRow, ...] = attrs.field(converter=_deadlinerows)
    order_number: str = ""
    order_date: date | None = None


@attrs.frozen
class RequestLogin:
    """Form F2 (P7)."""

    action: ClassVar[str] = "request_login"
    event: ClassVar[str] = "login_requested"
    person: str
    position: str
    email: str


@attrs.frozen
class IssueLogin:
    action: ClassVar[str] = "issue_login"
    event: ClassVar[str] = "login_issued"
    person: str


@attrs.frozen
class RecordBackup:
    action: ClassVar[str] = "record_backup"
    event: ClassVar[str] = "backup_made"
    file: str
    events: int
    sha256: str
    checkpoint_seq: int | None = None  # the signed checkpoint the archive matches, if any
    checkpoint_digest: str | None = None


Command = (EnterMarks | CorrectMark | HoldClass | HoldControl | CloseJournal | FormGradeSheet
           | SubmitNote | GiveVisa | ApproveNote | RejectNote | Reopen | OpenJournal
           | RegisterSubstitution | RegisterOrgUnits | RegisterPeople | LoadContingent
           | LoadCurriculum | LoadCalendarPlan | AssignPlanUploaders | SetDeadlineCalendar
           | RequestLogin | IssueLogin | RecordBackup)

# What the commands can record, derived from them (``rules lint`` refuses a rule over anything
# else: it could never fire).
COMMANDS: tuple[type[Any], ...] = typing.get_args(Command)
EMITTED_EVENTS: frozenset[str] = frozenset(c.event for c in COMMANDS)
# A journal event of a control, and the lifecycle action that records it.
JOURNAL_EVENT_ACTIONS: Mapping[str, str] = {c.event: c.action for c in JOURNAL_COMMANDS}
# Events recorded on the registry streams (everything but a journal's own stream).
REGISTRY_EVENTS: frozenset[str] = frozenset(
    c.event for c in COMMANDS if c not in JOURNAL_COMMANDS and c is not OpenJournal)
