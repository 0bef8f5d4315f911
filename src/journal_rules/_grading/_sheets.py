"""Grade sheets (ведомости): computed from a gradebook's journals and directory as typed data,
and recorded with :class:`FormGradeSheet` (event ``grade_sheet_formed``) so that the P10/P11/R4
deadlines can be checked.

Kinds: ``regular`` (a discipline's or a modular discipline's journal after its exam, P10),
``integrated`` (an ИД or a module as a whole, formed by the department that finishes the
teaching, T10, P11) and ``individual`` (one student, after a reopening, R4).

Where each grade comes from: a discipline's or a modular discipline's own journal holds its
current, milestone and exam controls; an ИД's blocks' journals hold current and milestone control
and the ИД's own journal holds its one integrated exam (T6); a module's grade is computed from its
modular disciplines' journals (T7).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from journal_rules._commands import FormGradeSheet
from journal_rules._convert import converter, structure
from journal_rules._decision import Messages
from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._events import GradeSheetFormed
from journal_rules._gradebook import Gradebook
from journal_rules._journal import JournalState
from journal_rules._model import CourseKind, CourseUnit, JournalSpec, UnitKind
from journal_rules._storage import StoredEvent

from ._compute import FinalResult, Grader
from ._finishing import finishing_part, sheet_control
from ._integrated import BlockRating, PartResult, integrated_discipline, module_grade
from ._policy import Grading

SHEET_KINDS = ("regular", "integrated", "individual")


@attrs.frozen
class SheetRow:
    """One student's line: admission rating, exam, final points, letter, GPA points,
    traditional grade (its key in ``GradeSheet.traditional``), status, and the parts' points of
    an integrated sheet (block ratings of an ИД, modular disciplines' results of a module)."""

    number: int
    student: str
    name: str
    status: str
    rating: Decimal | None = None
    exam: Decimal | None = None
    final: Decimal | None = None
    letter: str | None = None
    gpa: Decimal | None = None
    traditional: str | None = None
    parts: Mapping[str, Decimal | None] = attrs.field(factory=dict)


@attrs.frozen
class SheetPart:
    """A block or modular discipline shown on an integrated sheet."""

    id: str
    name: str
    department: str
    credits: Decimal = attrs.field(converter=Decimal)


@attrs.frozen
class SheetSignature:
    """A signature line: the role, its title, and who holds it (None: to be filled by hand)."""

    role: str
    title: Messages
    person: str | None = None
    name: str | None = None


@attrs.frozen
class GradeSheet:
    """What a Kazakh grade sheet holds: unit, group, specialty, year, term, teachers, a row per
    student and the signature lines. ``journal`` and ``control`` are where it is recorded;
    ``journals`` are the journals its grades come from."""

    kind: str
    journal: str
    control: str
    journals: tuple[str, ...]
    unit: str
    unit_name: str
    unit_kind: str
    part: str | None
    part_name: str | None
    credits: Decimal = attrs.field(converter=Decimal)
    department: str = ""
    department_name: str = ""
    school: str = ""
    school_name: str = ""
    group: str = ""
    specialty: str = ""
    year_of_study: int = 0
    language: str = ""
    term: str = ""
    academic_year: str = ""
    term_number: int = 0
    teachers: tuple[str, ...] = ()
    teacher_names: tuple[str, ...] = ()
    formed_on: date | None = None
    parts: tuple[SheetPart, ...] = ()
    rows: tuple[SheetRow, ...] = ()
    signatures: tuple[SheetSignature, ...] = ()
    traditional: Mapping[str, Messages] = attrs.field(factory=dict)
    statuses: Mapping[str, Messages] = attrs.field(factory=dict)
    ruleset: str | None = None

    def as_data(self) -> dict[str, Any]:
        """Plain JSON data (what a ``grade_sheet_formed`` event carries)."""
        data: dict[str, Any] = converter.unstructure(self)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GradeSheet:
        """The sheet recorded in a ``grade_sheet_formed`` event (InvalidInput if it holds none)."""
        return structure(dict(data), cls, "grade sheet")


def _grader(book: Gradebook, grading: Grading) -> Grader:
    return Grader(grading, book.policy.marks.codes)


_JournalKey = tuple[str, str, str, str | None]
# Journals by (unit, group, term, part), per directory's journal table: a sheet looks up the
# journals of a unit's parts for every student, and a scan of every journal per look-up made the
# term's sheets quadratic (84 s at full size). Journal specs never change once opened, and the
# table only grows, so an index is rebuilt only when the table has grown. A few tables are kept
# (one per gradebook at work), each with the table itself so that a reused id is not mistaken.
_INDEXES: dict[int, tuple[Mapping[str, JournalSpec], int, dict[_JournalKey, JournalSpec]]] = {}
_INDEXES_KEPT = 8
_INDEX_LOCK = threading.Lock()


def journal_index(journals: Mapping[str, JournalSpec]) -> dict[_JournalKey, JournalSpec]:
    """``journals`` indexed by (unit, group, term, part); the first opened (lowest id order of
    the table) wins, as a scan would find it."""
    with _INDEX_LOCK:
        kept = _INDEXES.get(id(journals))
        if kept is not None and kept[0] is journals and kept[1] == len(journals):
            return kept[2]
        index: dict[_JournalKey, JournalSpec] = {}
        for spec in journals.values():
            index.setdefault((spec.unit, spec.group, spec.term, spec.part), spec)
        if len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[id(journals)] = (journals, len(journals), index)
        return index


def _find_journal(book: Gradebook, unit: str, group: str, term: str,
                  part: str | None) -> JournalSpec | None:
    return journal_index(book.directory.journals).get((unit, group, term, part))


def _result(grader: Grader, journal: JournalState, student: str,
            require_marks: bool = False) -> FinalResult | None:
    g = grader.grading
    if require_marks and not grader.has_marks(journal, student,
                                              (*g.rating.controls, g.exam_control)):
        return None
    rating, periods = grader.rating(journal, student)
    exam = grader.exam(journal, student)
    shown = {k: g.rounding.round(v) for k, v in periods.items()}
    return grader.final(rating, exam, parts=shown)


def _integrated_result(book: Gradebook, grader: Grader, unit: CourseUnit, *, group: str,
                       term: str, student: str) -> FinalResult:
    g = grader.grading
    states = {p.id: _find_journal(book, unit.id, group, term, p.id) for p in unit.parts}
    if unit.kind is CourseKind.INTEGRATED:
        blocks = []
        for p in unit.parts:
            spec = states[p.id]
            rating: Fraction | None = None
            if spec is not None:
                state = book.journal(spec.id)
                if grader.has_marks(state, student, g.rating.controls):
                    rating = grader.rating(state, student)[0]
            blocks.append(BlockRating(p.id, p.credits, rating))
        own = _find_journal(book, unit.id, group, term, None)
        exam: Fraction | None = None
        if own is not None:
            exam = grader.exam(book.journal(own.id), student)
        return integrated_discipline(grader, blocks, exam)
    parts = []
    for p in unit.parts:
        spec = states[p.id]
        result = None if spec is None else _result(grader, book.journal(spec.id), student,
                                                     require_marks=True)
        parts.append(PartResult(p.id, p.credits, result))
    return module_grade(grader, parts)


def _row(number: int, student: str, name: str, result: FinalResult) -> SheetRow:
    grade = result.grade
    return SheetRow(number, student, name, result.status, result.rating, result.exam,
                    None if grade is None else grade.points,
                    None if grade is None else grade.letter,
                    None if grade is None else grade.gpa,
                    None if grade is None else grade.traditional, dict(result.parts))


def compute_grade_sheet(book: Gradebook, grading: Grading, journal: str, *,  # noqa: PLR0915
                        kind: str | None = None, student: str | None = None,
                        control: str | None = None, on: date | None = None) -> GradeSheet:
    """Compute a grade sheet from the gradebook (nothing is recorded).

    ``journal`` is the journal the sheet is about: a discipline's or a modular discipline's
    journal (``regular``), an ИД's or a module's own journal (``integrated``: the kind is
    inferred), or, with ``kind="individual"`` and ``student``, the journal that was reopened
    (R4; ``control`` defaults to its last reopened control). ``on`` is the date of forming
    (default: the gradebook clock's day).
    """
    spec = book.directory.journal(journal)
    unit = book.directory.unit(spec.unit)
    grader = _grader(book, grading)
    whole = spec.part is None and unit.kind is not CourseKind.DISCIPLINE
    block = spec.part is not None and unit.kind is CourseKind.INTEGRATED
    if kind is None:
        kind = "integrated" if whole else "regular"
    problems = _kind_problems(kind, journal, unit.id, whole=whole, block=block)
    state = book.journal(journal)
    students = book.directory.students_of(spec.group)
    if kind == "individual":
        if student is None:
            problems.append(Problem("an individual sheet is for one student", path="student"))
        elif student not in {s.id for s in students}:
            problems.append(Problem(f"student {student!r} is not in group {spec.group!r}",
                                    path="student",
                                    suggestion=suggest(student, {s.id for s in students})))
        if control is None:
            control = _last_reopened(state, journal, problems)
        students = [s for s in students if s.id == student]
    if problems:
        raise InvalidInput("grade sheet", problems)
    integrated = whole or block
    recorded = spec
    sheet_department = book.directory.journal_department(spec)
    if kind == "integrated":
        # Recorded on the finishing part's journal (T10, P11): that department's staff form it,
        # and the integrated-sheet rule looks for it there.
        last = finishing_part(unit, grading.finishing_tie_break)
        recorded = _find_journal(book, unit.id, spec.group, spec.term, last.id) or spec
        sheet_department = last.department
        if control is None:
            control = sheet_control(recorded, grading.exam_control)
    if control is None:
        control = grading.exam_control
    if control not in book.journal(recorded.id).controls:
        raise InvalidInput("grade sheet", [Problem(
            f"journal {recorded.id!r} has no control {control!r}", path="control",
            suggestion=suggest(control, set(book.journal(recorded.id).controls)))])
    rows = []
    for i, s in enumerate(students, 1):
        if integrated:
            result = _integrated_result(book, grader, unit, group=spec.group,
                                        term=spec.term, student=s.id)
        else:
            regular = _result(grader, state, s.id)
            assert regular is not None
            result = regular
        rows.append(_row(i, s.id, s.name, result))
    journals, teachers = (_integrated_journals(book, unit, spec) if integrated
                          else ([spec.id], list(spec.teachers)))
    directory = book.directory
    group = directory.group(spec.group)
    term = directory.term(spec.term)
    part = unit.part(spec.part) if spec.part else None
    sheet_unit_name = part.name if part is not None and not integrated else unit.name
    people = directory.people

    def name_of(person: str) -> str:
        known = people.get(person)
        return known.name if known is not None else person

    def org_name(org: str) -> str:
        known = directory.org_units.get(org)
        return known.name if known is not None else org

    return GradeSheet(
        kind=kind, journal=recorded.id, control=control, journals=tuple(journals),
        unit=unit.id, unit_name=unit.name if integrated else sheet_unit_name,
        unit_kind=unit.kind.value, part=None if integrated else spec.part,
        part_name=None if integrated or part is None else part.name,
        credits=unit.credits if integrated or part is None else part.credits,
        department=sheet_department, department_name=org_name(sheet_department),
        school=group.school, school_name=org_name(group.school), group=group.id,
        specialty=group.specialty, year_of_study=group.year_of_study, language=group.language,
        term=term.id, academic_year=term.academic_year, term_number=term.number,
        teachers=tuple(teachers), teacher_names=tuple(name_of(t) for t in teachers),
        formed_on=on or book.today(),
        parts=tuple(SheetPart(p.id, p.name, p.department, p.credits) for p in unit.parts)
        if integrated else (),
        rows=tuple(rows),
        signatures=_signatures(book, grading, teachers, sheet_department, group.school),
        traditional=dict(grading.traditional), statuses=dict(grading.statuses),
        ruleset=grading.id)


def _kind_problems(kind: str, journal: str, unit: str, *, whole: bool,
                   block: bool) -> list[Problem]:
    """Whether a sheet of ``kind`` can be formed for ``journal`` (``whole``: an ИД's or a
    module's own journal; ``block``: one part of an ИД, which has no exam of its own)."""
    if kind not in SHEET_KINDS:
        return [Problem(f"unknown sheet kind {kind!r}", path="kind",
                        suggestion=suggest(kind, set(SHEET_KINDS)))]
    if kind == "integrated" and not whole:
        return [Problem(f"journal {journal!r} is not an integrated discipline's or a "
                        f"module's own journal", path="journal")]
    if kind == "regular" and (whole or block):
        return [Problem(f"journal {journal!r} has no exam of its own: form the "
                        f"integrated sheet of {unit!r}", path="journal")]
    return []


def _integrated_journals(book: Gradebook, unit: CourseUnit,
                         spec: JournalSpec) -> tuple[list[str], list[str]]:
    """The journals an integrated sheet is drawn from (the unit's own and its parts') and their
    teachers in order, each once (a module's own journal's teachers do not sign)."""
    own = _find_journal(book, unit.id, spec.group, spec.term, None)
    related = [own] + [_find_journal(book, unit.id, spec.group, spec.term, p.id)
                       for p in unit.parts]
    teachers: list[str] = []
    for j in related:
        if j is not None and (unit.kind is CourseKind.INTEGRATED or j.part is not None):
            teachers.extend(t for t in j.teachers if t not in teachers)
    return [j.id for j in related if j is not None], teachers


def _last_reopened(state: JournalState, journal: str, problems: list[Problem]) -> str | None:
    """The control an individual sheet is about by default: the last one reopened (R4); when
    none was, a problem is added."""
    reopened = [(c.reopened_at[-1], cid) for cid, c in state.controls.items() if c.reopened_at]
    if reopened:
        return max(reopened)[1]
    problems.append(Problem(f"journal {journal!r} was never reopened: an individual "
                            f"sheet follows a reopening (R4)", path="journal"))
    return None


def _signatures(book: Gradebook, grading: Grading, teachers: list[str], department: str,
                school: str) -> tuple[SheetSignature, ...]:
    roles = book.policy.roles
    people = book.directory.people
    kinds = {u.id: u.kind for u in book.directory.org_units.values()}
    out: list[SheetSignature] = []
    for role in grading.signatures:
        title = roles[role]
        if role == "teacher":
            for t in teachers:
                person = people.get(t)
                out.append(SheetSignature(role, title, t, person.name if person else t))
            continue
        holders = sorted((p for p in people.values() if role in p.roles), key=lambda p: p.id)
        # The holder in the sheet's department, else in the group's school; an office role
        # (no holder belongs to a department or school) is signed by its first holder.
        scoped = any(kinds.get(u) in (UnitKind.DEPARTMENT, UnitKind.SCHOOL)
                     for p in holders for u in p.units)
        chosen = (next((p for p in holders if department in p.units), None)
                  or next((p for p in holders if school in p.units), None)
                  or (holders[0] if holders and not scoped else None))
        out.append(SheetSignature(role, title, chosen.id if chosen else None,
                                  chosen.name if chosen else None))
    return tuple(out)


def form_grade_sheet(book: Gradebook, actor: str, sheet: GradeSheet) -> list[StoredEvent]:
    """Record a computed sheet: :class:`FormGradeSheet` on ``sheet.journal`` / ``sheet.control``
    with the sheet as plain data; the guard applies (who may, in which state)."""
    return book.execute(actor, FormGradeSheet(sheet.journal, sheet.control, sheet.kind,
                                              sheet.as_data()))


def recorded_grade_sheets(book: Gradebook, journal: str) -> list[GradeSheet]:
    """The computed sheets recorded on a journal, oldest first (events without one are left
    out)."""
    out: list[GradeSheet] = []
    for event in book.journal(journal).history:
        if event.type == GradeSheetFormed.type:
            data = event.data.get("sheet") or {}
            if "rows" in data:
                out.append(GradeSheet.from_data(data))
    return out

