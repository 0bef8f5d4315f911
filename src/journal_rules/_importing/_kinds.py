"""The kinds of registry file (P1-P6, T12) and how their rows become commands.

Each kind is a table with named columns (see :data:`KINDS`); rows are checked one by one (types,
required cells, references to groups, units, terms, people and org units known to the registry
or defined in the same file, consistency between rows of one group / plan / calendar) and every
problem is reported with its file, row and column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from journal_rules._commands import (
    AssignPlanUploaders,
    Command,
    DeadlineRow,
    LoadCalendarPlan,
    LoadContingent,
    LoadCurriculum,
    OpenJournal,
    RegisterOrgUnits,
    RegisterPeople,
    SetDeadlineCalendar,
)
from journal_rules._dates import DATE_FORMATS, parse_date
from journal_rules._directory import Directory
from journal_rules._errors import Problem, suggest
from journal_rules._model import (
    CalendarPlan,
    ControlKind,
    ControlPoint,
    CourseKind,
    CoursePart,
    CourseUnit,
    CurriculumEntry,
    Group,
    JournalSpec,
    OrgUnit,
    Person,
    PlannedClass,
    Student,
    Term,
    UnitKind,
)

from ._tables import EXTRA, Row, Table


@attrs.frozen
class Column:
    """A column of an import file: its name, type, whether it is required, what it means and an
    example value (the templates show both)."""

    name: str
    type: str = "text"
    required: bool = True
    help: str = ""
    example: str = ""


@attrs.frozen
class ImportKind:
    """A kind of registry file: its columns, the SOP clauses it serves and its command."""

    name: str
    clauses: tuple[str, ...]
    title: str
    columns: tuple[Column, ...]
    build: Callable[[Table, Directory, list[Problem], frozenset[str]], list[Command]]
    examples: tuple[tuple[str, ...], ...] = ()
    """Example rows, in column order, that import cleanly in the order of :data:`KINDS` (each
    kind's rows refer to what the kinds before it registered); empty: one row of the columns'
    examples."""

    def example_rows(self) -> list[list[str]]:
        """The rows a template shows under its header."""
        if not self.examples:
            return [[c.example for c in self.columns]]
        return [list(row) for row in self.examples]


def _col(name: str, type_: str = "text", required: bool = True, help_: str = "",
         example: str = "") -> Column:
    return Column(name, type_, required, help_, example)


class _Reader:
    """Typed cells of one row; every bad cell becomes a Problem with file, row and column."""

    def __init__(self, table: Table, row: Row, columns: dict[str, Column],
                 problems: list[Problem]) -> None:
        self.table, self.row, self.columns, self.problems = table, row, columns, problems

    def bad(self, column: str | None, message: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.table.file, row=self.row.number,
                                     column=column, suggestion=suggestion))

    def raw(self, name: str) -> str:
        return self.row.cells.get(name, "").strip()

    def get(self, name: str) -> Any:
        column = self.columns[name]
        text = self.raw(name)
        if not text:
            if column.required:
                self.bad(name, "required value is missing")
            return None
        try:
            return _PARSERS[column.type](text)
        except ValueError as exc:
            self.bad(name, str(exc))
            return None

    def ref(self, name: str, known: AbstractSet[str] | Mapping[str, Any], kind: str) -> Any:
        value = self.get(name)
        if value is None:
            return None
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v not in known:
                self.bad(name, f"unknown {kind} {v!r}", suggest(v, set(known)))
        return value


#: Bounds on the numbers of a registry file (a year of study, a term or plan number; credits,
#: hours), so that ``1e999999999`` is an error and not a number of a billion digits.
MAX_WHOLE = 9_999
MAX_DECIMAL = Decimal(100_000)
_NUMBER_CHARS = 32


def _number(text: str) -> Decimal:
    if len(text) > _NUMBER_CHARS:
        raise ValueError(f"{text[:_NUMBER_CHARS]!r}... is not a number")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite() or value.adjusted() > 9:
        raise ValueError(f"{text!r} is not a number within bounds")
    return value


def _int(text: str) -> int:
    try:
        value = _number(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    if not 0 <= value <= MAX_WHOLE:
        raise ValueError(f"{text!r} is out of bounds (0..{MAX_WHOLE})")
    return int(value)


def _decimal(text: str) -> Decimal:
    value = _number(text)
    if not 0 <= value <= MAX_DECIMAL:
        raise ValueError(f"{text!r} is not a number from 0 to {MAX_DECIMAL}")
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(f"{text!r} has more than 4 decimal places")
    return value


def _date(text: str) -> date:
    # A date cell of a spreadsheet arrives as "2025-09-01 00:00:00": its date is the date.
    try:
        return parse_date(text[:10] if len(text) > 10 and text[10] == " " else text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date ({DATE_FORMATS})") from None


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text if len(text) > 4 else text.zfill(5))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (HH:MM)") from None


def _enum(values: frozenset[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in values:
            hint = suggest(text, values)
            raise ValueError(f"{text!r} is not one of {', '.join(sorted(values))}"
                             + (f" (did you mean {hint!r}?)" if hint else ""))
        return text
    return parse


def _list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": str,
    "int": _int,
    "decimal": _decimal,
    "date": _date,
    "time": _time,
    "list": _list,
    "course_kind": _enum(frozenset(k.value for k in CourseKind)),
    "control_kind": _enum(frozenset(k.value for k in ControlKind)),
    "unit_kind": _enum(frozenset(k.value for k in UnitKind)),
}


def _start(table: Table, kind: ImportKind, problems: list[Problem]) -> dict[str, Column]:
    columns = {c.name: c for c in kind.columns}
    names = set(columns)
    for name in table.columns:
        if name not in names:
            problems.append(Problem(f"unknown column {name!r}", file=table.file, row=1,
                                    column=name, suggestion=suggest(name, names)))
    for c in kind.columns:
        if c.required and c.name not in table.columns:
            problems.append(Problem("required column is missing", file=table.file, row=1,
                                    column=c.name))
    for row in table.rows:
        if EXTRA in row.cells:
            problems.append(Problem(f"cells beyond the header: {row.cells[EXTRA]}",
                                    file=table.file, row=row.number))
    if not table.rows:
        problems.append(Problem("the file has no data rows", file=table.file, row=2))
    return columns


def _same(r: _Reader, seen: dict[Any, dict[str, Any]], key: Any, values: dict[str, Any],
          what: str) -> None:
    """Rows that describe the same thing (a group, a plan) must agree."""
    first = seen.setdefault(key, values)
    for name, value in values.items():
        if first[name] != value:
            r.bad(name, f"{what} {key if not isinstance(key, tuple) else key[0]!r} has "
                        f"{first[name]!r} here in another row, not {value!r}")


def _org_units(table: Table, d: Directory, problems: list[Problem],
               roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["orgunits"], problems)
    rows: dict[str, tuple[_Reader, dict[str, Any]]] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        unit = r.get("id")
        values = {c: r.get(c) for c in ("name", "kind", "parent")}
        if unit is None:
            continue
        if unit in rows:
            r.bad("id", f"org unit {unit!r} is already on row {rows[unit][0].row.number}")
            continue
        rows[unit] = (r, values)
    known = set(d.org_units) | set(rows)
    built: list[OrgUnit] = []
    for unit, (r, v) in rows.items():
        parent = v["parent"]
        if parent is not None and parent not in known:
            r.bad("parent", f"unknown org unit {parent!r}", suggest(parent, known))
        elif parent == unit:
            r.bad("parent", f"org unit {unit!r} cannot be its own parent")
        elif None not in (v["name"], v["kind"]):
            built.append(OrgUnit(unit, v["name"], UnitKind(v["kind"]), parent))
    return [RegisterOrgUnits(built)] if built else []


def _people(table: Table, d: Directory, problems: list[Problem],
            roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["people"], problems)
    seen: dict[str, int] = {}
    built: list[Person] = []
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        person, name = r.get("id"), r.get("name")
        held = r.ref("roles", roles, "role") or ()
        units = r.ref("units", d.org_units, "org unit") or ()
        email, position = r.get("email"), r.get("position")
        if not held and r.raw("roles"):
            r.bad("roles", "no role named")
        if person is None:
            continue
        if person in seen:
            r.bad("id", f"person {person!r} is already on row {seen[person]}")
            continue
        seen[person] = row.number
        if name is not None and held:
            built.append(Person(person, name, held, units, email=email, position=position))
    return [RegisterPeople(built)] if built else []


def _contingent(table: Table, d: Directory, problems: list[Problem],
                roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["contingent"], problems)
    groups: dict[str, dict[str, Any]] = {}
    students: list[Student] = []
    seen_students: dict[str, int] = {}
    orders: set[str] = set()
    years: set[str | None] = set()
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        years.add(r.get("academic_year"))
        group, student, name = r.get("group"), r.get("student"), r.get("student_name")
        values = {"specialty": r.get("specialty"), "year_of_study": r.get("year_of_study"),
                  "school": r.ref("school", d.org_units, "org unit"),
                  "language": r.get("language") or "ru",
                  "curation_dean": r.ref("curation_dean", d.people, "person")}
        if r.raw("order"):
            orders.add(r.raw("order"))
        if group is not None:
            _same(r, groups, group, values, "group")
        if student is not None:
            if student in seen_students:
                r.bad("student", f"student {student!r} is already on row "
                                 f"{seen_students[student]}")
            seen_students[student] = row.number
            if group is not None and name is not None:
                students.append(Student(student, name, group))
    if len(orders) > 1:
        problems.append(Problem(f"one file, one order: found {sorted(orders)}", file=table.file,
                                column="order"))
    known_years = sorted(y for y in years if y is not None)
    if len(known_years) > 1:
        problems.append(Problem(f"one file, one academic year: found {known_years}",
                                file=table.file, column="academic_year"))
    built = [Group(g, v["specialty"], v["year_of_study"], v["school"], v["language"],
                   v["curation_dean"]) for g, v in groups.items()
             if None not in (v["specialty"], v["year_of_study"], v["school"])]
    return [LoadContingent(built, students, next(iter(orders), None),
                           academic_year=next(iter(known_years), ""))]


def _terms(table: Table, d: Directory, problems: list[Problem],
           roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["terms"], problems)
    terms: list[Term] = []
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        values = [r.get(c) for c in ("id", "academic_year", "number", "starts", "ends")]
        if None not in values:
            if values[3] > values[4]:
                r.bad("ends", "the term ends before it starts")
            terms.append(Term(*values))
    return [LoadCurriculum(terms, [], [])]


def _units(table: Table, d: Directory, problems: list[Problem],
           roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["units"], problems)
    units: dict[str, dict[str, Any]] = {}
    parts: dict[str, list[CoursePart]] = {}
    part_rows: list[tuple[_Reader, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        unit, part = r.get("unit"), r.get("part")
        values = {c: r.get(c) for c in ("name", "department", "credits", "starts", "ends")}
        if values["department"] is not None and values["department"] not in d.org_units:
            r.bad("department", f"unknown org unit {values['department']!r}",
                  suggest(values["department"], set(d.org_units)))
        if None not in (values["starts"], values["ends"]) and values["starts"] > values["ends"]:
            r.bad("ends", "it ends before it starts")
        if unit is None:
            continue
        if (unit, part or "") in seen:
            r.bad("part" if part else "unit", f"{unit}{'/' + part if part else ''} is already "
                                              f"defined above")
        seen.add((unit, part or ""))
        if part:
            part_rows.append((r, unit))
            if None not in values.values():
                parts.setdefault(unit, []).append(CoursePart(part, **values))
            continue
        kind = r.get("kind") if r.raw("kind") else None
        if kind is None and not r.raw("kind"):
            r.bad("kind", "required value is missing for a course unit")
        units[unit] = {**values, "kind": kind, "class_types": r.get("class_types") or (),
                       "teaching_methods": r.get("teaching_methods") or (),
                       "assessment_methods": r.get("assessment_methods") or (), "row": r}
    for r, unit in part_rows:
        if unit not in units:
            r.bad("unit", f"part of {unit!r}, which has no row of its own in this file",
                  suggest(unit, set(units)))
    built: list[CourseUnit] = []
    for unit, v in units.items():
        r = v.pop("row")
        kind = v.pop("kind")
        if kind is None or None in v.values():
            continue
        has_parts = bool(parts.get(unit))
        if (kind == CourseKind.DISCIPLINE.value) == has_parts:
            r.bad("kind", f"a discipline has no parts; an integrated discipline or module has "
                          f"some ({unit!r} is {kind} with {len(parts.get(unit, []))} part(s))")
            continue
        built.append(CourseUnit(unit, kind=CourseKind(kind), parts=parts.get(unit, ()), **v))
    return [LoadCurriculum([], built, [])]


def _curriculum(table: Table, d: Directory, problems: list[Problem],
                roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["curriculum"], problems)
    entries: list[CurriculumEntry] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        values = (r.ref("group", d.groups, "group"), r.ref("unit", d.units, "course unit"),
                  r.ref("term", d.terms, "term"))
        if None in values:
            continue
        key = (values[0], values[1], values[2])
        if key in seen:
            r.bad("unit", f"the same line is already on row {seen[key]}")
        seen[key] = row.number
        entries.append(CurriculumEntry(*key))
    return [LoadCurriculum([], [], entries)]


def _plans(table: Table, d: Directory, problems: list[Problem],
           roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["plan"], problems)
    heads: dict[tuple[Any, ...], dict[str, Any]] = {}
    classes: dict[tuple[Any, ...], list[PlannedClass]] = {}
    numbers: dict[tuple[Any, ...], set[int]] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        key = (r.ref("unit", d.units, "course unit"), r.get("academic_year"),
               r.get("year_of_study"), r.get("specialty"))
        head = {c: r.get(c) for c in ("minutes_number", "minutes_date", "agreed_by")}
        cls = {c: r.get(c) for c in ("number", "date", "time", "topic", "hours", "teacher",
                                     "room")}
        if None in key:
            continue
        _same(r, heads, key, head, "the plan of")
        if cls["number"] is not None:
            taken = numbers.setdefault(key, set())
            if cls["number"] in taken:
                r.bad("number", f"class number {cls['number']} repeats in this plan")
            taken.add(cls["number"])
        if None not in cls.values():
            classes.setdefault(key, []).append(PlannedClass(
                cls["number"], cls["date"], cls["time"], cls["topic"], cls["hours"],
                cls["teacher"], cls["room"]))
    return [LoadCalendarPlan(CalendarPlan(key[0], key[1], key[2], key[3], classes.get(key, []),
                                          **head)) for key, head in heads.items()]


def _uploaders(table: Table, d: Directory, problems: list[Problem],
               roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["uploaders"], problems)
    heads: dict[tuple[str, str], dict[str, Any]] = {}
    people: dict[tuple[str, str], list[str]] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        key = (r.ref("department", d.org_units, "org unit"), r.ref("unit", d.units,
                                                                   "course unit"))
        person = r.ref("person", d.people, "person")
        head = {c: r.get(c) for c in ("minutes_number", "minutes_date", "academic_year")}
        if None in key:
            continue
        _same(r, heads, key, head, "the assignment of")
        if person is not None:
            people.setdefault(key, []).append(person)
    return [AssignPlanUploaders(k[0], k[1], people.get(k, []), **h) for k, h in heads.items()]


def _deadlines(table: Table, d: Directory, problems: list[Problem],
               roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["deadlines"], problems)
    heads: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[DeadlineRow]] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        term = r.ref("term", d.terms, "term")
        head = {c: r.get(c) for c in ("order_number", "order_date")}
        kind, marks_by, close_by = r.get("control_kind"), r.get("marks_by"), r.get("close_by")
        if marks_by is not None and close_by is not None and marks_by > close_by:
            r.bad("marks_by", "marks are due after the journal must be closed")
        if term is None:
            continue
        _same(r, heads, term, head, "the calendar of term")
        if kind is not None and close_by is not None:
            rows.setdefault(term, []).append(DeadlineRow(kind, close_by, marks_by))
    return [SetDeadlineCalendar(t, rows.get(t, []), **h) for t, h in heads.items()]


def _journals(table: Table, d: Directory, problems: list[Problem],
              roles: frozenset[str]) -> list[Command]:
    columns = _start(table, KINDS["journals"], problems)
    heads: dict[str, dict[str, Any]] = {}
    controls: dict[str, list[ControlPoint]] = {}
    for row in table.rows:
        r = _Reader(table, row, columns, problems)
        journal = r.get("journal")
        head = {"unit": r.ref("unit", d.units, "course unit"), "part": r.get("part"),
                "group": r.ref("group", d.groups, "group"), "term": r.ref("term", d.terms, "term"),
                "teachers": r.ref("teachers", d.people, "person"),
                "department": r.ref("department", d.org_units, "org unit")}
        unit = d.units.get(head["unit"] or "")
        if unit is not None and head["part"] and head["part"] not in {p.id for p in unit.parts}:
            r.bad("part", f"unit {unit.id!r} has no part {head['part']!r}",
                  suggest(head["part"], {p.id for p in unit.parts}))
        point = [r.get(c) for c in ("control", "control_kind", "starts", "ends")]
        if None not in point[2:] and point[2] > point[3]:
            r.bad("ends", "the control ends before it starts")
        if journal is None:
            continue
        _same(r, heads, journal, head, "journal")
        if point[0] is not None and point[0] in {c.id for c in controls.get(journal, [])}:
            r.bad("control", f"control {point[0]!r} repeats in journal {journal!r}")
        if None not in point:
            controls.setdefault(journal, []).append(ControlPoint(
                point[0], ControlKind(point[1]), point[2], point[3]))
    out: list[Command] = []
    for journal, h in heads.items():
        if None in (h["unit"], h["group"], h["term"], h["teachers"]):
            continue
        spec = JournalSpec(journal, h["unit"], h["group"], h["term"], h["teachers"],
                           controls.get(journal, []), part=h["part"], department=h["department"])
        old = d.journals.get(journal)
        if old is not None and old != spec:  # a journal's spec never changes once opened
            problems.append(Problem(
                f"journal {journal!r} already exists with other values; a journal, once "
                "opened, does not change", file=table.file, column="journal"))
            continue
        out.append(OpenJournal(spec))
    return out


def _rows(*rows: str) -> tuple[tuple[str, ...], ...]:
    """Example rows written as CSV lines (a quoted cell may hold commas)."""
    return tuple(tuple(row) for row in csv.reader(rows))


# The example rows of the templates make one small school's first term: imported in this order
# (docs/first-term.md) on a store that ``journal-rules init`` started, they import cleanly.
KINDS: dict[str, ImportKind] = {
    "orgunits": ImportKind("orgunits", ("T1", "P15"),
                           "Структура: школы/факультеты, кафедры, офисы", (
        _col("id", help_="org unit id", example="dep-anat"),
        _col("name", example="Кафедра анатомии"),
        _col("kind", "unit_kind", help_="school, department or office", example="department"),
        _col("parent", required=False, help_="the id of the unit it belongs to (a department's "
                                             "school)", example="som"),
    ), _org_units, _rows(
        "som,Школа общей медицины,school,",
        "dep-anat,Кафедра анатомии,department,som",
        "or,Офис регистратора,office,",
        "it,Департамент информационных технологий,office,",
        "oumr,Отдел учебно-методической работы,office,",
    )),
    "people": ImportKind("people", ("T18", "P7", "P8"),
                         "Пользователи: сотрудники и логины обучающихся", (
        _col("id", help_="person id (their login)", example="t-anat"),
        _col("name", example="Ахметова А.А."),
        _col("roles", "list", help_="role ids of the ruleset, comma-separated",
             example="teacher"),
        _col("units", "list", required=False, help_="org unit ids, comma-separated",
             example="dep-anat"),
        _col("email", required=False, example="a.akhmetova@example.edu"),
        _col("position", required=False, example="старший преподаватель"),
    ), _people, _rows(
        "or-head,Руководитель ОР,registrar_head,or,or-head@example.edu,руководитель офиса",
        "or-insp,Инспектор ОР,registrar_inspector,or,,инспектор",
        "dean,Декан ШОМ,school_dean,som,,декан",
        "curator,Декан по курации,curation_dean,som,,декан по курации",
        "head-anat,Зав. кафедрой анатомии,department_head,dep-anat,,заведующий кафедрой",
        "t-anat,Ахметова А.А.,teacher,dep-anat,a.akhmetova@example.edu,старший преподаватель",
        "methodist,Методист ОУМР,methodist,oumr,,методист",
        "s10101,Студент 101-01,student,som,,",
        "s10102,Студент 101-02,student,som,,",
    )),
    "contingent": ImportKind("contingent", ("P1",), "Контингент обучающихся (П1)", (
        _col("academic_year", help_="the academic year the contingent is for",
             example="2025-2026"),
        _col("group", help_="group id", example="101"),
        _col("specialty", example="Общая медицина"),
        _col("year_of_study", "int", example="1"),
        _col("school", help_="org unit id of the school/faculty", example="som"),
        _col("language", required=False, help_="language of study (ru, kk, en)", example="ru"),
        _col("curation_dean", required=False, help_="person id of the dean for curation",
             example="curator"),
        _col("student", help_="student id", example="s10101"),
        _col("student_name", example="Студент 101-01"),
        _col("order", required=False, help_="the order on forming groups",
             example="Приказ № 1-к"),
    ), _contingent, _rows(
        "2025-2026,101,Общая медицина,1,som,ru,curator,s10101,Студент 101-01,Приказ № 1-к",
        "2025-2026,101,Общая медицина,1,som,ru,curator,s10102,Студент 101-02,Приказ № 1-к",
    )),
    "terms": ImportKind("terms", ("P2", "T8"), "Академические периоды", (
        _col("id", example="2025-1"), _col("academic_year", example="2025-2026"),
        _col("number", "int", example="1"), _col("starts", "date", example="2025-09-01"),
        _col("ends", "date", example="2025-12-28"),
    ), _terms),
    "units": ImportKind("units", ("P2", "P4", "T5", "T6", "T7"),
                        "Дисциплины, ИД с блоками, модули с модульными дисциплинами (П2, П4)", (
        _col("unit", example="nerv"),
        _col("part", required=False, help_="empty for the unit; the block or modular "
                                           "discipline id on its rows", example=""),
        _col("name", example="Нервная система"),
        _col("kind", "course_kind", required=False,
             help_="discipline, integrated or module (on the unit's row)", example="integrated"),
        _col("department", help_="org unit id", example="dep-anat"),
        _col("credits", "decimal", example="6"),
        _col("starts", "date", example="2025-09-01"), _col("ends", "date", example="2025-12-14"),
        _col("class_types", "list", required=False, example="лекция, практика"),
        _col("teaching_methods", "list", required=False, example="CBL, TBL"),
        _col("assessment_methods", "list", required=False, example="тестирование, ОСКЭ"),
    ), _units, _rows(
        'anat,,Анатомия,discipline,dep-anat,5,2025-09-01,2025-12-14,"лекция, практика",'
        '"CBL, TBL","тестирование, ОСКЭ"',
        'nerv,,Нервная система,integrated,dep-anat,6,2025-09-01,2025-12-14,"лекция, практика",'
        "TBL,тестирование",
        "nerv,nerv-anat,Анатомия нервной системы,,dep-anat,3,2025-09-01,2025-10-22,,,",
        "nerv,nerv-neuro,Нейроанатомия,,dep-anat,3,2025-10-23,2025-12-14,,,",
    )),
    "curriculum": ImportKind("curriculum", ("P3", "T8"), "Рабочий учебный план (П3)", (
        _col("group", example="101"), _col("unit", example="anat"),
        _col("term", example="2025-1"),
    ), _curriculum, _rows("101,anat,2025-1", "101,nerv,2025-1")),
    "uploaders": ImportKind("uploaders", ("P5",), "Ответственные за загрузку КТП (П5)", (
        _col("academic_year", example="2025-2026"),
        _col("department", example="dep-anat"), _col("unit", example="anat"),
        _col("person", example="t-anat"), _col("minutes_number", example="1"),
        _col("minutes_date", "date", example="2025-06-20"),
    ), _uploaders),
    "plan": ImportKind("plan", ("P6", "F1"), "Календарно-тематический план (форма 1, П6)", (
        _col("unit", example="anat"), _col("academic_year", example="2025-2026"),
        _col("year_of_study", "int", example="1"), _col("specialty", example="Общая медицина"),
        _col("number", "int", example="1"), _col("date", "date", example="2025-09-01"),
        _col("time", "time", example="09:00"), _col("topic", example="Введение в анатомию"),
        _col("hours", "decimal", example="2"), _col("teacher", example="Ахметова А.А."),
        _col("room", example="ауд. 214"),
        _col("minutes_number", required=False, example="1"),
        _col("minutes_date", "date", required=False, example="2025-08-25"),
        _col("agreed_by", required=False, example="Декан ШОМ"),
    ), _plans, _rows(
        "anat,2025-2026,1,Общая медицина,1,2025-09-01,09:00,Введение в анатомию,2,"
        "Ахметова А.А.,ауд. 214,1,2025-08-25,Декан ШОМ",
        "anat,2025-2026,1,Общая медицина,2,2025-09-08,09:00,Кости черепа,2,"
        "Ахметова А.А.,ауд. 214,1,2025-08-25,Декан ШОМ",
    )),
    "deadlines": ImportKind("deadlines", ("T12", "T11"), "Сроки заполнения и закрытия (T12)", (
        _col("term", example="2025-1"), _col("control_kind", "control_kind", example="current"),
        _col("marks_by", "date", required=False, example="2025-10-20"),
        _col("close_by", "date", example="2025-10-23"),
        _col("order_number", example="123"), _col("order_date", "date", example="2025-08-15"),
    ), _deadlines, _rows(
        "2025-1,current,2025-10-20,2025-10-23,123,2025-08-15",
        "2025-1,intermediate,2025-12-20,2025-12-23,123,2025-08-15",
    )),
    "journals": ImportKind("journals", ("T1", "T12", "P3"),
                           "Журналы и их контрольные мероприятия, преподаватели", (
        _col("journal", example="anat/101/2025-1"), _col("unit", example="anat"),
        _col("part", required=False, example=""), _col("group", example="101"),
        _col("term", example="2025-1"),
        _col("teachers", "list", help_="person ids, comma-separated", example="t-anat"),
        _col("department", required=False, example="dep-anat"),
        _col("control", example="current-1"),
        _col("control_kind", "control_kind", example="current"),
        _col("starts", "date", example="2025-09-01"), _col("ends", "date", example="2025-10-22"),
    ), _journals, _rows(
        "anat/101/2025-1,anat,,101,2025-1,t-anat,dep-anat,current-1,current,2025-09-01,"
        "2025-10-22",
        "anat/101/2025-1,anat,,101,2025-1,t-anat,dep-anat,exam,intermediate,2025-12-15,"
        "2025-12-20",
    )),
}
