"""Event types: what the log records. Each payload is frozen data that names its own ``type``
(the key the log stores), its ``action`` (what the command that records it performs) and applies
itself to its projection: a registry event to the :class:`Directory`, a journal event to its
:class:`JournalState`. Defining the class registers it: :data:`EVENT_TYPES` and the list of
registry streams are derived from the classes, and reading a store decodes through them.

Journal streams are named ``journal:<id>``; the registry has one stream per kind of register
(``registry:people``, ``registry:contingent`` ...). Every event has an actor, a recorded time, the
date it concerns, and a reason where the policy requires one (see ``StoredEvent``).
"""

from __future__ import annotations

import json
from collections.abc import KeysView, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ._convert import converter
from ._errors import StoreError
from ._model import (
    CalendarPlan,
    ControlKind,
    CourseUnit,
    CurriculumEntry,
    ExplanatoryNote,
    Group,
    JournalSpec,
    OrgUnit,
    Person,
    Student,
    Substitution,
    Term,
)
from ._storage import StoredEvent, canonical_json

if TYPE_CHECKING:
    from ._directory import Directory
    from ._journal import ControlState, JournalState

JOURNAL_PREFIX = "journal:"


def journal_stream(journal_id: str) -> str:
    return JOURNAL_PREFIX + journal_id


_TYPES: dict[str, type[Event]] = {}
_STREAMS: dict[str, None] = {}  # the registry streams, in the order their events were defined

#: Every event type the log may hold, by its name (a read-only view, kept up to date as event
#: classes are defined).
EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(_TYPES)


class Stream:
    """Names of the registry streams. ``ALL`` is derived from the registry events' own
    ``stream``: the streams a gradebook reads its registry from."""

    ORG = "registry:org"
    PEOPLE = "registry:people"
    CONTINGENT = "registry:contingent"
    CURRICULUM = "registry:curriculum"
    PLANS = "registry:plans"
    CALENDAR = "registry:calendar"
    ACCESS = "registry:access"
    OPERATIONS = "registry:operations"
    SUBSTITUTIONS = "registry:substitutions"

    ALL: KeysView[str] = _STREAMS.keys()


class Event:
    """What every event payload is. A subclass that names its ``type`` is registered under it
    (a second class under a type already taken is a mistake, refused at definition; attrs'
    slotted copy of the same class replaces the original)."""

    __slots__ = ()
    type: ClassVar[str]
    action: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type" not in cls.__dict__:
            return  # a base class of events, not an event
        known = _TYPES.get(cls.type)
        if known is not None and (known.__module__, known.__qualname__) != (
                cls.__module__, cls.__qualname__):
            raise TypeError(f"event type {cls.type!r} is already {known.__qualname__}'s")
        if not isinstance(cls.__dict__.get("action"), str):
            raise TypeError(f"event {cls.__qualname__} names no action")
        _TYPES[cls.type] = cls
        if issubclass(cls, RegistryEvent) and cls.stream not in _STREAMS:
            _STREAMS[cls.stream] = None


def forget_event(cls: type[Event]) -> None:
    """Unregister an event class (a test's own event, after the test)."""
    if _TYPES.get(cls.type) is cls:
        del _TYPES[cls.type]
    streams = {getattr(c, "stream", None) for c in _TYPES.values()}
    for stream in [s for s in _STREAMS if s not in streams]:
        del _STREAMS[stream]


class RegistryEvent(Event):
    """An event of one registry ``stream``; it applies itself to the registry projection."""

    __slots__ = ()
    stream: ClassVar[str]

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        raise NotImplementedError


class JournalEvent(Event):
    """An event of a journal's stream; it applies itself to the journal's state."""

    __slots__ = ()

    def apply(self, journal: JournalState, event: StoredEvent) -> None:
        raise NotImplementedError


class ControlEvent(JournalEvent):
    """An event on one control of a journal: it performs its ``action`` in the control's
    lifecycle, then changes what it records (:meth:`change`)."""

    __slots__ = ()
    control: str

    def apply(self, journal: JournalState, event: StoredEvent) -> None:
        control = journal.step(self.control, self.action, event)
        if control is not None:
            self.change(journal, control, event)

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        """What the event records, in the journal's state (nothing but the lifecycle step by
        default)."""


# --- registry -----------------------------------------------------------------------------------

@attrs.frozen
class OrgUnitsRegistered(RegistryEvent):
    type: ClassVar[str] = "org_units_registered"
    action: ClassVar[str] = "register_org_units"
    stream: ClassVar[str] = Stream.ORG
    units: tuple[OrgUnit, ...]

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        for u in self.units:
            directory.put("org_units", u.id, u, event.recorded_at)
        directory.changed(event.recorded_at)


@attrs.frozen
class PeopleRegistered(RegistryEvent):
    type: ClassVar[str] = "people_registered"
    action: ClassVar[str] = "register_people"
    stream: ClassVar[str] = Stream.PEOPLE
    people: tuple[Person, ...]

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        for p in self.people:
            directory.put("people", p.id, p, event.recorded_at)
        directory.changed(event.recorded_at)


@attrs.frozen
class ContingentLoaded(RegistryEvent):
    """Groups and students from the order on forming groups (P1), for ``academic_year`` (None
    in events recorded before the year was declared: they count for the academic year in which
    they were recorded)."""

    type: ClassVar[str] = "contingent_loaded"
    action: ClassVar[str] = "load_contingent"
    stream: ClassVar[str] = Stream.CONTINGENT
    groups: tuple[Group, ...]
    students: tuple[Student, ...]
    order: str | None = None
    academic_year: str | None = None

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        moment = event.recorded_at
        for g in self.groups:
            directory.put("groups", g.id, g, moment)
        if self.groups:
            directory.changed(moment)
        directory.load_students(self.students, moment)


@attrs.frozen
class CurriculumLoaded(RegistryEvent):
    """Terms, course units and working-curriculum lines (P2-P4)."""

    type: ClassVar[str] = "curriculum_loaded"
    action: ClassVar[str] = "load_curriculum"
    stream: ClassVar[str] = Stream.CURRICULUM
    terms: tuple[Term, ...]
    units: tuple[CourseUnit, ...]
    entries: tuple[CurriculumEntry, ...]

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        moment = event.recorded_at
        for t in self.terms:
            directory.put("terms", t.id, t, moment)
        for cu in self.units:
            directory.put("units", cu.id, cu, moment)
        directory.changed(moment)
        for e in self.entries:
            directory.put("curriculum", (e.group, e.unit, e.term), e, moment)


@attrs.frozen
class CalendarPlanLoaded(RegistryEvent):
    """A КТП of form F1 uploaded (P6)."""

    type: ClassVar[str] = "calendar_plan_loaded"
    action: ClassVar[str] = "load_calendar_plan"
    stream: ClassVar[str] = Stream.PLANS
    plan: CalendarPlan

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        plan = self.plan
        key = (plan.unit, plan.academic_year, plan.year_of_study, plan.specialty)
        directory.put("plans", key, plan, event.recorded_at)


@attrs.frozen
class PlanUploadersAssigned(RegistryEvent):
    """The head of department names who uploads a unit's КТП (P5)."""

    type: ClassVar[str] = "plan_uploaders_assigned"
    action: ClassVar[str] = "assign_plan_uploaders"
    stream: ClassVar[str] = Stream.PLANS
    department: str
    unit: str
    people: tuple[str, ...]
    minutes_number: str
    minutes_date: date
    academic_year: str | None = None  # None: recorded before the year was declared

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.put("plan_uploaders", self.unit, self, event.recorded_at)


@attrs.frozen
class DeadlineEntry:
    control_kind: ControlKind
    marks_by: date | None
    close_by: date


@attrs.frozen
class DeadlineCalendarSet(RegistryEvent):
    """The term's deadlines set by the Registrar's Office and approved by order (T12)."""

    type: ClassVar[str] = "deadline_calendar_set"
    action: ClassVar[str] = "set_deadline_calendar"
    stream: ClassVar[str] = Stream.CALENDAR
    term: str
    entries: tuple[DeadlineEntry, ...]
    order_number: str
    order_date: date

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.put("deadlines", self.term, self, event.recorded_at)


@attrs.frozen
class LoginRequested(RegistryEvent):
    """Form F2: the head of department asks IT for a login for a new teacher (P7)."""

    type: ClassVar[str] = "login_requested"
    action: ClassVar[str] = "request_login"
    stream: ClassVar[str] = Stream.ACCESS
    person: str
    position: str
    email: str

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.put("logins_requested", self.person, event, event.recorded_at)


@attrs.frozen
class LoginIssued(RegistryEvent):
    type: ClassVar[str] = "login_issued"
    action: ClassVar[str] = "issue_login"
    stream: ClassVar[str] = Stream.ACCESS
    person: str

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.put("logins_issued", self.person, event, event.recorded_at)


@attrs.frozen
class BackupMade(RegistryEvent):
    """A backup of the store (P9): the archive, its digest and the signed checkpoint it
    matches (None for an unsigned backup)."""

    type: ClassVar[str] = "backup_made"
    action: ClassVar[str] = "record_backup"
    stream: ClassVar[str] = Stream.OPERATIONS
    file: str
    events: int
    sha256: str
    checkpoint_seq: int | None = None
    checkpoint_digest: str | None = None

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.backups.append(event)


@attrs.frozen
class SubstitutionRegistered(RegistryEvent):
    type: ClassVar[str] = "substitution_registered"
    action: ClassVar[str] = "register_substitution"
    stream: ClassVar[str] = Stream.SUBSTITUTIONS
    substitution: Substitution

    def apply(self, directory: Directory, event: StoredEvent) -> None:
        directory.add_substitution(self.substitution, event.recorded_at)


# --- journals -----------------------------------------------------------------------------------

@attrs.frozen
class JournalOpened(JournalEvent):
    """The first event of a journal's stream: its spec, every control in the lifecycle's
    initial state."""

    type: ClassVar[str] = "journal_opened"
    action: ClassVar[str] = "open_journal"
    spec: JournalSpec

    def apply(self, journal: JournalState, event: StoredEvent) -> None:
        journal.open(self.spec)


@attrs.frozen
class MarkCell:
    student: str
    on: date
    mark: str


@attrs.frozen
class MarksEntered(ControlEvent):
    """Marks of one control, usually one class day's; one event, many cells."""

    type: ClassVar[str] = "marks_entered"
    action: ClassVar[str] = "enter_mark"
    control: str
    cells: tuple[MarkCell, ...]

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        for cell in self.cells:
            journal.set_mark(cell.student, cell.on, self.control, cell.mark)


@attrs.frozen
class MarkCorrected(ControlEvent):
    type: ClassVar[str] = "mark_corrected"
    action: ClassVar[str] = "correct_mark"
    control: str
    student: str
    on: date
    old: str | None
    new: str

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        journal.set_mark(self.student, self.on, self.control, self.new)


@attrs.frozen
class ClassHeld(ControlEvent):
    type: ClassVar[str] = "class_held"
    action: ClassVar[str] = "hold_class"
    control: str
    on: date
    topic: str = ""

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        journal.classes[(self.control, self.on)] = self.topic


@attrs.frozen
class ControlHeld(ControlEvent):
    type: ClassVar[str] = "control_held"
    action: ClassVar[str] = "hold_control"
    control: str
    on: date

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.held_on = self.on


@attrs.frozen
class JournalClosed(ControlEvent):
    type: ClassVar[str] = "journal_closed"
    action: ClassVar[str] = "close"
    control: str

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.closed_at.append(event.recorded_at)


@attrs.frozen
class GradeSheetFormed(ControlEvent):
    """A grade sheet (ведомость): ``kind`` is regular, integrated or individual."""

    type: ClassVar[str] = "grade_sheet_formed"
    action: ClassVar[str] = "form_grade_sheet"
    control: str
    kind: str
    sheet: dict[str, Any] = attrs.field(factory=dict)

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.sheets.append((self.kind, event.recorded_at))


@attrs.frozen
class NoteSubmitted(ControlEvent):
    type: ClassVar[str] = "note_submitted"
    action: ClassVar[str] = "submit_note"
    control: str
    note: ExplanatoryNote

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.note, control.note_by, control.visas = self.note, event.actor, {}


@attrs.frozen
class VisaGiven(ControlEvent):
    type: ClassVar[str] = "visa_given"
    action: ClassVar[str] = "give_visa"
    control: str
    role: str

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.visas[self.role] = event.actor


@attrs.frozen
class NoteApproved(ControlEvent):
    type: ClassVar[str] = "note_approved"
    action: ClassVar[str] = "approve_note"
    control: str


@attrs.frozen
class NoteRejected(ControlEvent):
    type: ClassVar[str] = "note_rejected"
    action: ClassVar[str] = "reject_note"
    control: str

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.note = None


@attrs.frozen
class JournalReopened(ControlEvent):
    type: ClassVar[str] = "journal_reopened"
    action: ClassVar[str] = "reopen"
    control: str

    def change(self, journal: JournalState, control: ControlState, event: StoredEvent) -> None:
        control.reopened_at.append(event.recorded_at)


def event_type_name(payload: Event) -> str:
    return payload.type


def payload_of(event: StoredEvent) -> Any:
    """The typed payload of a stored event; a :class:`StoreError` naming the event when the store
    holds a type this library does not know or data that does not fit it."""
    try:
        return structure_payload(event.type, event.data)
    except StoreError as exc:
        raise StoreError(f"{event.stream}#{event.version}: {exc}") from exc


def structure_payload(type_name: str, data: Mapping[str, Any]) -> Any:
    """The typed payload of an event of type ``type_name`` from its plain ``data``."""
    cls = _TYPES.get(type_name)
    if cls is None:
        raise StoreError(f"unknown event type {type_name!r}")
    try:
        return converter.structure(dict(data), cls)
    except Exception as exc:  # cattrs raises groups of anything; say which event instead
        raise StoreError(f"the {type_name} data does not fit its type: {exc}") from exc


def payload_data(payload: Any) -> dict[str, Any]:
    """Plain JSON data of a payload (lists, not tuples), exactly as it reads back from a store."""
    data: dict[str, Any] = json.loads(canonical_json(converter.unstructure(payload)))
    return data
