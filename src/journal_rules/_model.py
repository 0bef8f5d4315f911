"""The university's structure, people, contingent, curriculum, КТП and marks, as frozen data.

Roles are plain strings: which roles exist, what they are called and what they may do is policy,
read from the ruleset (``roles`` and ``permissions``), never fixed here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

import attrs


def to_frozenset(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


# --- organisation -------------------------------------------------------------------------------

class UnitKind(enum.Enum):
    """What a department-like unit is: a school/faculty, a department, an office."""

    SCHOOL = "school"
    DEPARTMENT = "department"
    OFFICE = "office"


@attrs.frozen
class OrgUnit:
    """A school or faculty, a department (кафедра), or an office such as the Registrar's Office."""

    id: str
    name: str
    kind: UnitKind
    parent: str | None = None


@attrs.frozen
class Person:
    """Someone who acts in the journal; ``roles`` are role ids from the ruleset's catalogue.

    ``units`` are the org units the person belongs to (their department, school or office), which
    scopes such as "head of the journal's department" are checked against.
    """

    id: str
    name: str
    roles: frozenset[str] = attrs.field(converter=to_frozenset)
    units: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    email: str | None = None
    position: str | None = None


# --- contingent ---------------------------------------------------------------------------------

@attrs.frozen
class Group:
    """A study group of one specialty and year of study; ``curator_dean`` curates its year."""

    id: str
    specialty: str
    year_of_study: int
    school: str
    language: str = "ru"
    curation_dean: str | None = None


@attrs.frozen
class Student:
    id: str
    name: str
    group: str


# --- curriculum ---------------------------------------------------------------------------------

class CourseKind(enum.Enum):
    """The three kinds of course unit of the SOP (T5-T7)."""

    DISCIPLINE = "discipline"  # Д
    INTEGRATED = "integrated"  # ИД, made of blocks
    MODULE = "module"  # М, made of modular disciplines


class ControlKind(enum.Enum):
    """Control events of a term (T11)."""

    CURRENT = "current"  # текущий контроль
    MILESTONE = "milestone"  # рубежный контроль
    INTERMEDIATE = "intermediate"  # промежуточная аттестация
    FINAL = "final"  # итоговая аттестация


@attrs.frozen
class CoursePart:
    """A block of an integrated discipline or a modular discipline of a module."""

    id: str
    name: str
    department: str
    credits: Decimal = attrs.field(converter=Decimal)
    starts: date
    ends: date


def _parts(value: Iterable[CoursePart]) -> tuple[CoursePart, ...]:
    return tuple(value)


@attrs.frozen
class CourseUnit:
    """A discipline, an integrated discipline with ``parts`` (blocks) or a module with ``parts``
    (modular disciplines). A discipline has no parts; the others have at least one."""

    id: str
    name: str
    kind: CourseKind
    department: str
    credits: Decimal = attrs.field(converter=Decimal)
    starts: date
    ends: date
    parts: tuple[CoursePart, ...] = attrs.field(default=(), converter=_parts)
    class_types: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    teaching_methods: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    assessment_methods: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    def part(self, part_id: str) -> CoursePart:
        for part in self.parts:
            if part.id == part_id:
                return part
        raise KeyError(part_id)


@attrs.frozen
class Term:
    """An academic term: ``academic_year`` like "2025-2026", ``number`` 1 or 2."""

    id: str
    academic_year: str
    number: int
    starts: date
    ends: date


@attrs.frozen
class CurriculumEntry:
    """A line of a group's working curriculum (РУПл): this group studies this unit in this term."""

    group: str
    unit: str
    term: str


# --- journals -----------------------------------------------------------------------------------

@attrs.frozen
class ControlPoint:
    """A control event of one journal: its id (e.g. "current-1"), kind, and the dates its marks
    belong to; the closing deadline counts from ``ends`` (T11)."""

    id: str
    kind: ControlKind
    starts: date
    ends: date


def _controls(value: Iterable[ControlPoint]) -> tuple[ControlPoint, ...]:
    return tuple(value)


@attrs.frozen
class JournalSpec:
    """What a journal is about: one unit (or one of its parts) for one group in one term."""

    id: str
    unit: str
    group: str
    term: str
    teachers: tuple[str, ...] = attrs.field(converter=_tuple)
    controls: tuple[ControlPoint, ...] = attrs.field(converter=_controls)
    part: str | None = None
    department: str | None = None


@attrs.frozen
class PlannedClass:
    """A row of the calendar-thematic plan (КТП, form F1)."""

    number: int
    on: date
    at: time
    topic: str
    hours: Decimal = attrs.field(converter=Decimal)
    teacher: str
    room: str


def _classes(value: Iterable[PlannedClass]) -> tuple[PlannedClass, ...]:
    return tuple(value)


@attrs.frozen
class CalendarPlan:
    """The КТП of a unit for a group's year and specialty, approved at a department meeting."""

    unit: str
    academic_year: str
    year_of_study: int
    specialty: str
    classes: tuple[PlannedClass, ...] = attrs.field(converter=_classes)
    minutes_number: str | None = None
    minutes_date: date | None = None
    agreed_by: str | None = None


@attrs.frozen
class Substitution:
    """A substitute teacher for a journal over a period, on a department meeting's decision
    (its minutes' number and date), with the memo to the Registrar's Office (its number and
    date) (T13). All four are required to register it; they default to empty only so that a
    missing one is reported as a validation problem naming the field."""

    journal: str
    substitute: str
    replaces: str
    starts: date
    ends: date
    minutes_number: str = ""
    minutes_date: date | None = None
    memo_number: str = ""
    memo_date: date | None = None

    def covers(self, person: str, on: date) -> bool:
        return person == self.substitute and self.starts <= on <= self.ends


@attrs.frozen
class ExplanatoryNote:
    """The explanatory note to the vice-rector (form F3) asking to reopen a journal."""

    error_date: date
    cause: str
    class_types: tuple[str, ...] = attrs.field(converter=_tuple)
    wrong_entry_date: date
    reason: str


# --- marks --------------------------------------------------------------------------------------

@attrs.frozen
class Mark:
    """A cell of the mark grid: points, or a code such as «н/б» (absent) or «О» (unprepared).

    Which codes exist and what range of points is valid is policy (T19); :meth:`parse` only
    separates numbers from codes.
    """

    points: Decimal | None = None
    code: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.points is None) == (self.code is None):
            raise ValueError("a mark holds either points or a code")

    @classmethod
    def parse(cls, text: str | int | Decimal) -> Mark:
        if isinstance(text, int | Decimal):
            return cls(points=Decimal(text))
        stripped = text.strip()
        try:
            return cls(points=Decimal(stripped.replace(",", ".")))
        except InvalidOperation:
            return cls(code=stripped)

    def __str__(self) -> str:
        return self.code if self.code is not None else format(self.points, "f")
