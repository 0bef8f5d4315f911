"""XLSX documents with openpyxl: grade sheets, a journal's mark grid, the КТП (F1)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import journal_rules as jr
from journal_rules.grading import GradeSheet
from journal_rules.importing import IMPORT_SHEET
from journal_rules.model import CalendarPlan

from ._common import grid, plan_rows, sheet_header, sheet_table, signature_lines
from ._labels import Lang, label

_THIN = Side(style="thin")
# A plain decimal number (no leading zeros, so identifiers like "007" stay text, and no exponent).
_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,10})?")


Value = str | int | float | Decimal | date | None


def _put(ws: Worksheet, row: int, column: int, value: Value, *,
         numbers: bool = True) -> Cell | MergedCell:
    """Write one cell so that it can never execute (OWASP's CSV/formula injection rule).

    openpyxl stores any text beginning with ``=`` as a formula; a student named
    ``=HYPERLINK(...)`` would leave as a live formula. Text is therefore always stored as a
    string cell; with ``numbers``, text that is a plain number is written as a number instead, so
    marks and points stay numeric for whoever sums them.
    """
    if isinstance(value, str) and numbers and _NUMBER.fullmatch(value):
        number = Decimal(value)
        value = int(number) if number == number.to_integral_value() and "." not in value \
            else float(number)
    if isinstance(value, Decimal):  # points: a number a spreadsheet can sum
        value = int(value) if value == value.to_integral_value() else float(value)
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    return cell


_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _table(ws: Worksheet, top: int, head: list[str], rows: Sequence[Sequence[Value]], *,
           numbers: bool = True) -> int:
    """The header row (bold, boxed, and frozen: it stays in view while scrolling) and the
    rows, each column as wide as its widest cell."""
    for j, title in enumerate(head, 1):
        cell = _put(ws, top, j, title, numbers=False)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = _BOX
    for i, row in enumerate(rows, top + 1):
        for j, value in enumerate(row, 1):
            cell = _put(ws, i, j, value, numbers=numbers)
            cell.border = _BOX
    for j in range(1, len(head) + 1):
        width = max([len(head[j - 1])] + [len(_shown(r[j - 1])) for r in rows]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), 40)
    ws.freeze_panes = f"A{top + 1}"
    return top + len(rows) + 1


def _shown(value: Value) -> str:
    return value.strftime("%d.%m.%Y") if isinstance(value, date) else str(value or "")


def _sheet_rows(sheet: GradeSheet, lang: Lang) -> tuple[list[str], list[list[Value]]]:
    """The grade sheet's table with typed cells: points and numbers as numbers, ids and
    grades as text (a student id of digits stays an id)."""
    head, texts = sheet_table(sheet, lang)
    parts = [p.id for p in sheet.parts]
    rows: list[list[Value]] = []
    for r, text in zip(sheet.rows, texts, strict=True):
        numbers: list[Value] = [r.parts.get(p) for p in parts]
        numbers += [r.rating, r.exam, r.final]
        cells: list[Value] = [r.number, r.name, r.student, *numbers, text[-4], r.gpa,
                              text[-2], text[-1]]
        rows.append([("—" if c is None else c) for c in cells])
    return head, rows


def _save(wb: Workbook, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    wb.close()
    return path


def sheet_to_xlsx(sheet: GradeSheet, path: str | Path, lang: Lang = "ru") -> Path:
    """A grade sheet as an XLSX workbook: title, header lines, the table, signature lines."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label(sheet.kind, lang)[:31]
    _put(ws, 1, 1, label(sheet.kind, lang)).font = Font(bold=True, size=14)
    row = 3
    typed: dict[str, Value] = {
        label("credits", lang): sheet.credits, label("year", lang): sheet.year_of_study,
        label("term", lang): sheet.term_number, label("date", lang): sheet.formed_on}
    for key, value in sheet_header(sheet, lang):
        _put(ws, row, 1, key).font = Font(bold=True)
        _put(ws, row, 3, typed.get(key, value), numbers=False)
        row += 1
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 16)
    head, rows = _sheet_rows(sheet, lang)
    row = _table(ws, row + 1, head, rows, numbers=False) + 2
    for title, name in signature_lines(sheet, lang):
        _put(ws, row, 1, title)
        _put(ws, row, 4, "____________________")
        _put(ws, row, 6, name)
        row += 1
    return _save(wb, path)


def grid_to_xlsx(book: jr.Gradebook, journal: str, path: str | Path,
                 lang: Lang = "ru") -> Path:
    """A journal's mark grid: a row per student, a column per (control, date)."""
    columns, students, marks = grid(book, journal)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label("journal", lang)
    _put(ws, 1, 1, f"{label('grid', lang)}: {journal}").font = Font(bold=True, size=14)
    head = [label("student", lang), label("id", lang)] + [f"{c}\n{d}" for c, d in columns]
    rows = [[name, sid] + [marks[sid].get(col, "") for col in columns]
            for sid, name in students]
    _table(ws, 3, head, rows)
    ws.freeze_panes = "C4"  # the header row and the students' names stay in view
    return _save(wb, path)


def plan_to_xlsx(plan: CalendarPlan, path: str | Path, lang: Lang = "ru",
                 unit_name: str | None = None) -> Path:
    """The КТП as form F1 (the first sheet) plus the ``data`` sheet in the import format of kind
    ``plan``: importing the file back gives the same plan."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "F1"
    _put(ws, 1, 1, f"{label('agreed', lang)} ____________ {plan.agreed_by or ''}")
    _put(ws, 3, 1, label("ktp", lang)).font = Font(bold=True, size=13)
    _put(ws, 4, 1, f"{label('unit', lang)}: {unit_name or plan.unit}")
    _put(ws, 5, 1, f"{label('year', lang)}: {plan.year_of_study}    "
                  f"{label('specialty', lang)}: {plan.specialty}    "
                  f"{label('academic_year', lang)}: {plan.academic_year}")
    head = [label(k, lang) for k in ("number", "date", "ktp_time", "ktp_topic", "ktp_hours",
                                     "ktp_teacher", "ktp_room")]
    rows: list[list[Value]] = [[c.number, c.on, c.at.strftime("%H:%M"), c.topic, c.hours,
                                c.teacher, c.room] for c in plan.classes]
    row = _table(ws, 7, head, rows, numbers=False) + 2
    minutes = f"{plan.minutes_number or '___'} {label('of', lang)} " \
              f"{plan.minutes_date.strftime('%d.%m.%Y') if plan.minutes_date else '___'}"
    _put(ws, row, 1, f"{label('approved', lang)} {minutes}")
    _put(ws, row + 2, 1, f"{label('head', lang)} ____________")
    _put(ws, row + 3, 1, f"{label('methodist', lang)} ____________")
    data = wb.create_sheet(IMPORT_SHEET)
    columns, values = plan_rows(plan)
    for i, r in enumerate([columns, *values], 1):
        for j, value in enumerate(r, 1):
            _put(data, i, j, value, numbers=False).number_format = "@"
    data.freeze_panes = "A2"
    return _save(wb, path)
