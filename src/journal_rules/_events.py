"""Event types: what the log records. Each payload is frozen data; the type name is its key.

Journal streams are named ``journal:<id>``; the registry has one stream per kind of register
(``registry:people``, ``registry:contingent`` ...). Every event has an actor, a recorded time, the
date it concerns, and a reason where the policy requires one (see ``StoredEvent``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

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

JOURNAL_PREFIX = "journal:"


def journal_stream(journal_id: str) -> str:
    return JOURNAL_PREFIX + journal_id


class Stream:
    """Names of the registry streams."""

    ORG = "registry:org"
    PEOPLE = "registry:people"
    CONTINGENT = "registry:contingent"
    CURRICULUM = "registry:curriculum"
    PLANS = "registry:plans"
    CALENDAR = "registry:calendar"
    ACCESS = "registry:access"
    OPERATIONS = "registry:operations"
    SUBSTITUTIONS = "registry:substitutions"

    ALL = (ORG, PEOPLE, CONTINGENT, CURRICULUM, PLANS, CALENDAR, ACCESS, OPERATIONS,
           SUBSTITUTIONS)


# --- registry -----------------------------------------------------------------------------------

@attrs.frozen
class OrgUnitsRegistered:
    units: tuple[OrgUnit, ...]


@attrs.frozen
class PeopleRegistered:
    people: tuple[Person, ...]


@attrs.frozen
class ContingentLoaded:
    """Groups and students from the order on forming groups (P1), for ``academic_year`` (None
    in events recorded before the year was declared: they count for the academic year in which
    they were recorded)."""

    groups: tuple[Group, ...]
    students: tuple[Student, ...]
    order: str | None = None
    academic_year: str | None = None


@attrs.frozen
class CurriculumLoaded:
    """Terms, course units and working-curriculum lines (P2-P4)."""

    terms: tuple[Term, ...]
    units: tuple[CourseUnit, ...]
    entries: tuple[CurriculumEntry, ...]


@attrs.frozen
class CalendarPlanLoaded:
    """A КТП of form F1 uploaded (P6)."""

    plan: CalendarPlan


@attrs.frozen
class PlanUploadersAssigned:
    """The head of department names who uploads a unit's КТП (P5)."""

    department: str
    unit: str
    people: tuple[str, ...]
    minutes_number: str
    minutes_date: date
    academic_year: str | None = None  # None: recorded before the year was declared


@attrs.frozen
class DeadlineEntry:
    control_kind: ControlKind
    marks_by: date | None
    close_by: date


@attrs.frozen
class DeadlineCalendarSet:
    """The term's deadlines set by the Registrar's Office and approved by order (T12)."""

    term: str
    entries: tuple[DeadlineEntry, ...]
    order_number: str
    order_date: date


@attrs.frozen
class LoginRequested:
    """Form F2: the head of department asks IT for a login for a new teacher (P7)."""

    person: str
    position: str
    email: str


@attrs.frozen
class LoginIssued:
    person: str


@attrs.frozen
class BackupMade:
    """A backup of the store (P9): the archive, its digest and the signed checkpoint it
    matches (None for an unsigned backup)."""

    file: str
    events: int
    sha256: str
    checkpoint_seq: int | None = None
    checkpoint_digest: str | None = None


@attrs.frozen
class SubstitutionRegistered:
    substitution: Substitution


# --- journals -----------------------------------------------------------------------------------

@attrs.frozen
class JournalOpened:
    spec: JournalSpec


@attrs.frozen
class MarkCell:
    student: str
    on: date
    mark: str


@attrs.frozen
class MarksEntered:
    """Marks of one control, usually one class day's; one event, many cells."""

    control: str
    cells: tuple[MarkCell, ...]


@attrs.frozen
class MarkCorrected:
    control: str
    student: str
    on: date
    old: str | None
    new: str


@attrs.frozen
class ClassHeld:
    control: str
    on: date
    topic: str = ""


@attrs.frozen
class ControlHeld:
    control: str
    on: date


@attrs.frozen
class JournalClosed:
    control: str


@attrs.frozen
class GradeSheetFormed:
    """A grade sheet (ведомость): ``kind`` is regular, integrated or individual."""

    control: str
    kind: str
    sheet: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class NoteSubmitted:
    control: str
    note: ExplanatoryNote


@attrs.frozen
class VisaGiven:
    control: str
    role: str


@attrs.frozen
class NoteApproved:
    control: str


@attrs.frozen
class NoteRejected:
    control: str


@attrs.frozen
class JournalReopened:
    control: str


EVENT_TYPES: dict[str, type[Any]] = {
    "org_units_registered": OrgUnitsRegistered,
    "people_registered": PeopleRegistered,
    "contingent_loaded": ContingentLoaded,
    "curriculum_loaded": CurriculumLoaded,
    "calendar_plan_loaded": CalendarPlanLoaded,
    "plan_uploaders_assigned": PlanUploadersAssigned,
    "deadline_calendar_set": DeadlineCalendarSet,
    "login_requested": LoginRequested,
    "login_issued": LoginIssued,
    "backup_made": BackupMade,
    "substitution_registered": SubstitutionRegistered,
    "journal_opened": JournalOpened,
    "marks_entered": MarksEntered,
    "mark_corrected": MarkCorrected,
    "class_held": ClassHeld,
    "control_held": ControlHeld,
    "journal_closed": JournalClosed,
    "grade_sheet_formed": GradeSheetFormed,
    "note_submitted": NoteSubmitted,
    "visa_given": VisaGiven,
    "note_approved": NoteApproved,
    "note_rejected": NoteRejected,
    "journal_reopened": JournalReopened,
}
_NAMES = {cls: name for name, cls in EVENT_TYPES.items()}


def event_type_name(payload: Any) -> str:
    return _NAMES[type(payload)]


def payload_of(event: StoredEvent) -> Any:
    """The typed payload of a stored event; a :class:`StoreError` naming the event when the store
    holds a type this library does not know or data that does not fit it."""
    try:
        return structure_payload(event.type, event.data)
    except StoreError as exc:
        raise StoreError(f"{event.stream}#{event.version}: {exc}") from exc


def structure_payload(type_name: str, data: Mapping[str, Any]) -> Any:
    """The typed payload of an event of type ``type_name`` from its plain ``data``."""
    cls = EVENT_TYPES.get(type_name)
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
