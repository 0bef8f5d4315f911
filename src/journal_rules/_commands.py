"""Commands: what embedding software asks the gradebook to do, as typed data.

A command names the event class it ``records``; its ``action`` (what a ruleset's permissions and
lifecycle refer to) and ``event`` (the type name the audit's rules read) are that event's. It
states its own data checks (:meth:`Command.check`) and how it becomes its event
(:meth:`Command.to_event`). Defining a command class registers it: the tables derived at the end
of this module (the actions, which of them are a journal's, which events are recorded at all and
in journals with which action, the commands by action) follow from the classes, and ``rules
lint`` checks rules against them, so they cannot drift. The gradebook validates a command,
checks it with the guard, turns it into its event and appends it, or refuses it and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, KeysView, Mapping, ValuesView
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._events import (
    EVENT_TYPES,
    BackupMade,
    CalendarPlanLoaded,
    ClassHeld,
    ContingentLoaded,
    ControlEvent,
    ControlHeld,
    CurriculumLoaded,
    DeadlineCalendarSet,
    DeadlineEntry,
    Event,
    GradeSheetFormed,
    JournalClosed,
    JournalOpened,
    JournalReopened,
    LoginIssued,
    LoginRequested,
    MarkCell,
    MarkCorrected,
    MarksEntered,
    NoteApproved,
    NoteRejected,
    NoteSubmitted,
    OrgUnitsRegistered,
    PeopleRegistered,
    PlanUploadersAssigned,
    RegistryEvent,
    SubstitutionRegistered,
    VisaGiven,
    forget_event,
)
from ._model import (
    CalendarPlan,
    ControlKind,
    CourseKind,
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
from ._validation import Checker

if TYPE_CHECKING:
    from ._guard import GuardContext

_BY_ACTION: dict[str, type[Command]] = {}


class Command:
    """What every command is. A subclass that names the event class it ``records`` is
    registered under that event's action (a second command for an action already taken is a
    mistake, refused at definition; attrs' slotted copy of the same class replaces the
    original)."""

    __slots__ = ()
    records: ClassVar[type[Event]]
    action: ClassVar[str]  # the recorded event's action
    event: ClassVar[str]  # the recorded event's type name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        records = cls.__dict__.get("records")
        if records is None:
            return  # a base class of commands, not a command
        if not (isinstance(records, type) and issubclass(records, Event)
                and EVENT_TYPES.get(records.type) is records):
            raise TypeError(f"command {cls.__qualname__} records {records!r}, not an event class")
        if issubclass(cls, JournalCommand) != issubclass(records, ControlEvent):
            raise TypeError(f"command {cls.__qualname__}: a JournalCommand records a "
                            "ControlEvent, and only a JournalCommand does")
        cls.action, cls.event = records.action, records.type
        known = _BY_ACTION.get(cls.action)
        if known is not None and (known.__module__, known.__qualname__) != (
                cls.__module__, cls.__qualname__):
            raise TypeError(f"action {cls.action!r} is already {known.__qualname__}'s")
        _BY_ACTION[cls.action] = cls
        _derive()

    def check(self, checker: Checker) -> None:
        """The command's data checks against the registry (``checker.directory``), each problem
        reported with ``checker.fail`` at its field; none by default."""

    def to_event(self, context: GuardContext) -> Event:
        """The event that records the command, in the context the guard allowed it in."""
        raise NotImplementedError



class JournalCommand(Command):
    """A command on one control event of a journal: it goes through the lifecycle. ``control``
    is the one named, or the one whose dates contain the command's ``on`` day."""

    __slots__ = ()
    journal: str

    def students(self) -> tuple[str, ...]:
        """The students the command is about (each must be in the journal's group)."""
        return ()


def _control(context: GuardContext) -> str:
    return context.control.point.id if context.control is not None else ""

# --- derived from the classes -------------------------------------------------------------------
# Read-only views, kept up to date as command classes are defined (and forgotten, see
# :func:`forget`): ``rules lint`` refuses a rule over anything else, since it could never fire.

_JOURNAL: dict[str, type[Command]] = {}
_REGISTRY_ACTIONS: dict[str, None] = {}
_EMITTED: dict[str, None] = {}
_REGISTRY_EVENTS: dict[str, None] = {}
_JOURNAL_EVENT_ACTIONS: dict[str, str] = {}

#: Every command class, and the command class of each action.
COMMANDS: ValuesView[type[Command]] = _BY_ACTION.values()
COMMANDS_BY_ACTION: Mapping[str, type[Command]] = MappingProxyType(_BY_ACTION)
#: The commands on a journal's control event (they go through the lifecycle).
JOURNAL_COMMANDS: ValuesView[type[Command]] = _JOURNAL.values()
#: Every action, the journal actions (the lifecycle's), the others (a journal as a whole, or
#: the registry).
ACTIONS: KeysView[str] = _BY_ACTION.keys()
JOURNAL_ACTIONS: KeysView[str] = _JOURNAL.keys()
REGISTRY_ACTIONS: KeysView[str] = _REGISTRY_ACTIONS.keys()
#: The event types some command records.
EMITTED_EVENTS: KeysView[str] = _EMITTED.keys()
#: A journal event of a control, and the lifecycle action that records it.
JOURNAL_EVENT_ACTIONS: Mapping[str, str] = MappingProxyType(_JOURNAL_EVENT_ACTIONS)
#: Events recorded on the registry streams (everything but a journal's own stream).
REGISTRY_EVENTS: KeysView[str] = _REGISTRY_EVENTS.keys()


def _derive() -> None:
    tables: tuple[dict[str, Any], ...] = (_JOURNAL, _REGISTRY_ACTIONS, _EMITTED,
                                          _REGISTRY_EVENTS, _JOURNAL_EVENT_ACTIONS)
    for table in tables:
        table.clear()
    for action, cls in _BY_ACTION.items():
        _EMITTED[cls.event] = None
        if issubclass(cls, JournalCommand):
            _JOURNAL[action] = cls
            _JOURNAL_EVENT_ACTIONS[cls.event] = action
        else:
            _REGISTRY_ACTIONS[action] = None
            if issubclass(cls.records, RegistryEvent):
                _REGISTRY_EVENTS[cls.event] = None


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
class EnterMarks(JournalCommand):
    """Marks of one class day: ``marks`` maps student id to points or a code («н/б», «О»).
    ``control`` defaults to the control whose dates contain ``on``."""

    records: ClassVar[type[Event]] = MarksEntered
    journal: str
    on: date
    marks: Mapping[str, Mark] = attrs.field(converter=_marks)
    control: str | None = None

    def students(self) -> tuple[str, ...]:
        return tuple(self.marks)

    def to_event(self, context: GuardContext) -> Event:
        return MarksEntered(_control(context), tuple(
            MarkCell(s, self.on, str(m)) for s, m in sorted(self.marks.items())))


@attrs.frozen
class CorrectMark(JournalCommand):
    """Change one cell; the policy requires a ``reason``."""

    records: ClassVar[type[Event]] = MarkCorrected
    journal: str
    student: str
    on: date
    mark: Mark = attrs.field(converter=_mark)
    reason: str | None = None
    control: str | None = None

    def students(self) -> tuple[str, ...]:
        return (self.student,)

    def to_event(self, context: GuardContext) -> Event:
        control = _control(context)
        assert context.journal is not None
        old = context.journal.grid.get((self.student, self.on, control))
        return MarkCorrected(control, self.student, self.on, old, str(self.mark))


@attrs.frozen
class HoldClass(JournalCommand):
    records: ClassVar[type[Event]] = ClassHeld
    journal: str
    on: date
    topic: str = ""
    control: str | None = None

    def to_event(self, context: GuardContext) -> Event:
        return ClassHeld(_control(context), self.on, self.topic)


@attrs.frozen
class HoldControl(JournalCommand):
    """The control event itself (a milestone test, an exam) took place on ``on``."""

    records: ClassVar[type[Event]] = ControlHeld
    journal: str
    control: str
    on: date

    def to_event(self, context: GuardContext) -> Event:
        return ControlHeld(_control(context), self.on)


@attrs.frozen
class CloseJournal(JournalCommand):
    records: ClassVar[type[Event]] = JournalClosed
    journal: str
    control: str

    def to_event(self, context: GuardContext) -> Event:
        return JournalClosed(_control(context))


@attrs.frozen
class FormGradeSheet(JournalCommand):
    """A grade sheet: ``kind`` is regular, integrated or individual (after a reopening, R4)."""

    records: ClassVar[type[Event]] = GradeSheetFormed
    journal: str
    control: str
    kind: str = "regular"
    sheet: Mapping[str, Any] = attrs.field(factory=dict)

    def to_event(self, context: GuardContext) -> Event:
        return GradeSheetFormed(_control(context), self.kind, dict(self.sheet))


@attrs.frozen
class SubmitNote(JournalCommand):
    """The teacher's explanatory note (F3) asking to reopen the journal (T14, R1)."""

    records: ClassVar[type[Event]] = NoteSubmitted
    journal: str
    control: str
    note: ExplanatoryNote

    def check(self, checker: Checker) -> None:
        """Form F3 states the cause of the error, the class types of the journal to reopen and
        the reason for the changes: a note without them cannot be signed or reviewed (T14,
        R1)."""
        note = self.note
        if not note.cause.strip():
            checker.fail("the cause of the error is required (F3)", "note.cause")
        if not note.reason.strip():
            checker.fail("the reason for the changes is required (F3)", "note.reason")
        if not note.class_types:
            checker.fail("at least one class type is required (F3)", "note.class_types")
        for i, kind in enumerate(note.class_types):
            if not kind.strip():
                checker.fail("a class type is empty", f"note.class_types[{i}]")

    def to_event(self, context: GuardContext) -> Event:
        return NoteSubmitted(_control(context), self.note)


@attrs.frozen
class GiveVisa(JournalCommand):
    """A visa on the pending note, given in the named ``role`` (T14, R2)."""

    records: ClassVar[type[Event]] = VisaGiven
    journal: str
    control: str
    role: str

    def to_event(self, context: GuardContext) -> Event:
        return VisaGiven(_control(context), self.role)


@attrs.frozen
class ApproveNote(JournalCommand):
    records: ClassVar[type[Event]] = NoteApproved
    journal: str
    control: str

    def to_event(self, context: GuardContext) -> Event:
        return NoteApproved(_control(context))


@attrs.frozen
class RejectNote(JournalCommand):
    records: ClassVar[type[Event]] = NoteRejected
    journal: str
    control: str
    reason: str | None = None

    def to_event(self, context: GuardContext) -> Event:
        return NoteRejected(_control(context))


@attrs.frozen
class Reopen(JournalCommand):
    """Open the journal again for changes (T14, R3)."""

    records: ClassVar[type[Event]] = JournalReopened
    journal: str
    control: str

    def to_event(self, context: GuardContext) -> Event:
        return JournalReopened(_control(context))


# --- on the registry ----------------------------------------------------------------------------


@attrs.frozen
class OpenJournal(Command):
    records: ClassVar[type[Event]] = JournalOpened
    spec: JournalSpec

    def check(self, checker: Checker) -> None:
        spec, d = self.spec, checker.directory
        if spec.id in d.journals:
            checker.fail(f"journal {spec.id!r} already exists", "spec.id")
        checker.known(d.units, spec.unit, "course unit", "spec.unit")
        checker.known(d.groups, spec.group, "group", "spec.group")
        checker.known(d.terms, spec.term, "term", "spec.term")
        for i, teacher in enumerate(spec.teachers):
            checker.known(d.people, teacher, "person", f"spec.teachers[{i}]")
        unit = d.units.get(spec.unit)
        if unit is not None and spec.part is not None:
            checker.known({p.id for p in unit.parts}, spec.part, f"part of {unit.id!r}",
                          "spec.part")
        if not spec.controls:
            checker.fail("a journal needs at least one control", "spec.controls")
        ids = [p.id for p in spec.controls]
        if len(set(ids)) != len(ids):
            checker.fail("control ids repeat", "spec.controls")
        for i, point in enumerate(spec.controls):
            if point.starts > point.ends:
                checker.fail("starts after it ends", f"spec.controls[{i}]")

    def to_event(self, context: GuardContext) -> Event:
        return JournalOpened(self.spec)


@attrs.frozen
class RegisterSubstitution(Command):
    records: ClassVar[type[Event]] = SubstitutionRegistered
    substitution: Substitution

    def check(self, checker: Checker) -> None:
        sub, d = self.substitution, checker.directory
        checker.known(d.journals, sub.journal, "journal", "substitution.journal")
        checker.known(d.people, sub.substitute, "person", "substitution.substitute")
        checker.known(d.people, sub.replaces, "person", "substitution.replaces")
        if sub.starts > sub.ends:
            checker.fail("starts after it ends", "substitution")
        # T13: the department meeting decides and the ОР is told by memo; both documents are
        # named.
        for field, what in (("minutes_number", "the department meeting's minutes number"),
                            ("memo_number", "the number of the memo to the Registrar's Office")):
            if not str(getattr(sub, field) or "").strip():
                checker.fail(f"{what} is required (T13)", f"substitution.{field}")
        for field, what in (("minutes_date", "the department meeting's minutes date"),
                            ("memo_date", "the date of the memo to the Registrar's Office")):
            if getattr(sub, field) is None:
                checker.fail(f"{what} is required (T13)", f"substitution.{field}")

    def to_event(self, context: GuardContext) -> Event:
        return SubstitutionRegistered(self.substitution)


@attrs.frozen
class RegisterOrgUnits(Command):
    records: ClassVar[type[Event]] = OrgUnitsRegistered
    units: tuple[OrgUnit, ...] = attrs.field(converter=_orgunits)

    def to_event(self, context: GuardContext) -> Event:
        return OrgUnitsRegistered(self.units)


@attrs.frozen
class RegisterPeople(Command):
    records: ClassVar[type[Event]] = PeopleRegistered
    people: tuple[Person, ...] = attrs.field(converter=_persons)

    def to_event(self, context: GuardContext) -> Event:
        return PeopleRegistered(self.people)


@attrs.frozen
class LoadContingent(Command):
    """The groups and students of one academic year (P1): ``academic_year`` like "2025-2026"
    says which year's obligation the load satisfies (a load never counts for another year)."""

    records: ClassVar[type[Event]] = ContingentLoaded
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    students: tuple[Student, ...] = attrs.field(converter=_students)
    order: str | None = None
    academic_year: str = attrs.field(kw_only=True)

    def check(self, checker: Checker) -> None:
        checker.academic_year(self.academic_year, "academic_year")
        groups = {g.id for g in self.groups} | set(checker.directory.groups)
        for i, student in enumerate(self.students):
            checker.known(groups, student.group, "group", f"students[{i}].group")

    def to_event(self, context: GuardContext) -> Event:
        return ContingentLoaded(self.groups, self.students, self.order, self.academic_year)


@attrs.frozen
class LoadCurriculum(Command):
    records: ClassVar[type[Event]] = CurriculumLoaded
    terms: tuple[Term, ...] = attrs.field(converter=_terms)
    units: tuple[CourseUnit, ...] = attrs.field(converter=_courseunits)
    entries: tuple[CurriculumEntry, ...] = attrs.field(converter=_curriculumentrys)

    def check(self, checker: Checker) -> None:
        d = checker.directory
        units = {u.id for u in self.units} | set(d.units)
        terms = {t.id for t in self.terms} | set(d.terms)
        for i, term in enumerate(self.terms):
            checker.academic_year(term.academic_year, f"terms[{i}].academic_year")
        for i, unit in enumerate(self.units):
            if (unit.kind is CourseKind.DISCIPLINE) == bool(unit.parts):
                checker.fail("a discipline has no parts; an integrated discipline or a module "
                             "has some", f"units[{i}].parts")
        for i, entry in enumerate(self.entries):
            checker.known(d.groups, entry.group, "group", f"entries[{i}].group")
            checker.known(units, entry.unit, "course unit", f"entries[{i}].unit")
            checker.known(terms, entry.term, "term", f"entries[{i}].term")

    def to_event(self, context: GuardContext) -> Event:
        return CurriculumLoaded(self.terms, self.units, self.entries)


@attrs.frozen
class LoadCalendarPlan(Command):
    records: ClassVar[type[Event]] = CalendarPlanLoaded
    plan: CalendarPlan

    def check(self, checker: Checker) -> None:
        checker.academic_year(self.plan.academic_year, "plan.academic_year")
        checker.known(checker.directory.units, self.plan.unit, "course unit", "plan.unit")

    def to_event(self, context: GuardContext) -> Event:
        return CalendarPlanLoaded(self.plan)


@attrs.frozen
class AssignPlanUploaders(Command):
    """Who uploads a unit's КТП for one academic year (P5), on the department meeting's
    minutes."""

    records: ClassVar[type[Event]] = PlanUploadersAssigned
    department: str
    unit: str
    people: tuple[str, ...] = attrs.field(converter=_strs)
    minutes_number: str = ""
    minutes_date: date | None = None
    academic_year: str = attrs.field(kw_only=True)

    def check(self, checker: Checker) -> None:
        checker.academic_year(self.academic_year, "academic_year")
        checker.known(checker.directory.units, self.unit, "course unit", "unit")
        for i, person in enumerate(self.people):
            checker.known(checker.directory.people, person, "person", f"people[{i}]")
        if self.minutes_date is None or not self.minutes_number:
            checker.fail("the meeting minutes' number and date are required", "minutes_number")

    def to_event(self, context: GuardContext) -> Event:
        assert self.minutes_date is not None
        return PlanUploadersAssigned(self.department, self.unit, self.people,
                                     self.minutes_number, self.minutes_date, self.academic_year)


@attrs.frozen
class DeadlineRow:
    control_kind: str
    close_by: date
    marks_by: date | None = None


def _deadlinerows(value: Iterable[DeadlineRow]) -> tuple[DeadlineRow, ...]:
    return tuple(value)


@attrs.frozen
class SetDeadlineCalendar(Command):
    """The term's deadlines for marks and closing, approved by the vice-rector's order (T12)."""

    records: ClassVar[type[Event]] = DeadlineCalendarSet
    term: str
    rows: tuple[DeadlineRow, ...] = attrs.field(converter=_deadlinerows)
    order_number: str = ""
    order_date: date | None = None

    def check(self, checker: Checker) -> None:
        checker.known(checker.directory.terms, self.term, "term", "term")
        kinds = {k.value for k in ControlKind}
        for i, row in enumerate(self.rows):
            checker.known(kinds, row.control_kind, "control kind", f"rows[{i}].control_kind")
        if self.order_date is None or not self.order_number:
            checker.fail("the approving order's number and date are required", "order_number")

    def to_event(self, context: GuardContext) -> Event:
        assert self.order_date is not None
        return DeadlineCalendarSet(self.term, tuple(
            DeadlineEntry(ControlKind(r.control_kind), r.marks_by, r.close_by)
            for r in self.rows), self.order_number, self.order_date)


@attrs.frozen
class RequestLogin(Command):
    """Form F2 (P7)."""

    records: ClassVar[type[Event]] = LoginRequested
    person: str
    position: str
    email: str

    def check(self, checker: Checker) -> None:
        checker.known(checker.directory.people, self.person, "person", "person")

    def to_event(self, context: GuardContext) -> Event:
        return LoginRequested(self.person, self.position, self.email)


@attrs.frozen
class IssueLogin(Command):
    records: ClassVar[type[Event]] = LoginIssued
    person: str

    def check(self, checker: Checker) -> None:
        checker.known(checker.directory.people, self.person, "person", "person")

    def to_event(self, context: GuardContext) -> Event:
        return LoginIssued(self.person)


@attrs.frozen
class RecordBackup(Command):
    records: ClassVar[type[Event]] = BackupMade
    file: str
    events: int
    sha256: str
    checkpoint_seq: int | None = None  # the signed checkpoint the archive matches, if any
    checkpoint_digest: str | None = None

    def to_event(self, context: GuardContext) -> Event:
        return BackupMade(self.file, self.events, self.sha256, self.checkpoint_seq,
                          self.checkpoint_digest)


def forget(*classes: type[Command] | type[Event]) -> None:
    """Unregister command and event classes (a test's own, after the test): the derived tables
    no longer hold them."""
    for cls in classes:
        if issubclass(cls, Command):
            if _BY_ACTION.get(cls.action) is cls:
                del _BY_ACTION[cls.action]
        else:
            forget_event(cls)
    _derive()
