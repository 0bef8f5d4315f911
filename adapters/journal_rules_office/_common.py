"""What the XLSX and PDF writers share: the header lines and the table of a grade sheet."""

from __future__ import annotations

from decimal import Decimal

import journal_rules as jr
from journal_rules.grading import GradeSheet
from journal_rules.importing import IMPORT_KINDS
from journal_rules.model import CalendarPlan

from ._labels import Lang, label


def show(value: Decimal | int | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def sheet_header(sheet: GradeSheet, lang: Lang) -> list[tuple[str, str]]:
    unit = sheet.unit_name if sheet.part_name is None else sheet.part_name
    return [
        (label("school", lang), sheet.school_name),
        (label("department", lang), sheet.department_name),
        (label("unit", lang), f"{unit} ({sheet.unit_kind})"),
        (label("credits", lang), show(sheet.credits)),
        (label("specialty", lang), sheet.specialty),
        (label("year", lang), str(sheet.year_of_study)),
        (label("group", lang), sheet.group),
        (label("academic_year", lang), sheet.academic_year),
        (label("term", lang), str(sheet.term_number)),
        (label("teachers", lang), ", ".join(sheet.teacher_names)),
        (label("control", lang), sheet.control),
        (label("date", lang), sheet.formed_on.isoformat() if sheet.formed_on else ""),
    ]


def sheet_table(sheet: GradeSheet, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """Column titles and rows of text."""
    parts = [p.id for p in sheet.parts]
    names = {p.id: p.name for p in sheet.parts}
    head = [label("number", lang), label("student", lang), label("id", lang)]
    head += [names[p] for p in parts]
    head += [label(k, lang) for k in ("rating", "exam", "final", "letter", "gpa",
                                      "traditional", "status")]
    rows: list[list[str]] = []
    for r in sheet.rows:
        traditional = sheet.traditional.get(r.traditional or "")
        status = sheet.statuses.get(r.status)
        rows.append([str(r.number), r.name, r.student]
                    + [show(r.parts.get(p)) for p in parts]
                    + [show(r.rating), show(r.exam), show(r.final), show(r.letter), show(r.gpa),
                       traditional.get(lang) if traditional else "—",
                       status.get(lang) if status else r.status])
    return head, rows


def signature_lines(sheet: GradeSheet, lang: Lang) -> list[tuple[str, str]]:
    return [(s.title.get(lang), s.name or "") for s in sheet.signatures]


def grid(book: jr.Gradebook, journal: str) -> tuple[
        list[tuple[str, str]], list[tuple[str, str]], dict[str, dict[tuple[str, str], str]]]:
    """A journal's mark grid: the columns (control, date) in the journal's order, the students
    (id, name) of its group, and their marks by column."""
    state = book.journal(journal)
    order = list(state.controls)
    columns = sorted({(c, d.isoformat()) for (_s, d, c) in state.grid},
                     key=lambda cd: (order.index(cd[0]) if cd[0] in order else len(order),
                                     cd[1]))
    spec = book.directory.journal(journal)
    students = [(s.id, s.name) for s in book.directory.students_of(spec.group)]
    marks: dict[str, dict[tuple[str, str], str]] = {s: {} for s, _ in students}
    for (s, d, c), m in state.grid.items():
        marks.setdefault(s, {})[(c, d.isoformat())] = m
    return columns, students, marks


def plan_rows(plan: CalendarPlan) -> tuple[list[str], list[list[str]]]:
    """The КТП as the import table of kind ``plan`` (the same columns, as text)."""
    columns = [c.name for c in IMPORT_KINDS["plan"].columns]
    rows = []
    for c in plan.classes:
        values = {"unit": plan.unit, "academic_year": plan.academic_year,
                  "year_of_study": str(plan.year_of_study), "specialty": plan.specialty,
                  "number": str(c.number), "date": c.on.isoformat(),
                  "time": c.at.strftime("%H:%M"), "topic": c.topic, "hours": show(c.hours),
                  "teacher": c.teacher, "room": c.room,
                  "minutes_number": plan.minutes_number or "",
                  "minutes_date": plan.minutes_date.isoformat() if plan.minutes_date else "",
                  "agreed_by": plan.agreed_by or ""}
        rows.append([values[name] for name in columns])
    return columns, rows
