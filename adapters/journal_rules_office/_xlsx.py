"""XLSX documents with openpyxl: grade sheets, a journal's mark grid, the КТП (F1)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import journal_rules as jr

from ._common import grid, plan_rows, sheet_header, sheet_table, show, signature_lines
from ._labels import Lang, label

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _table(ws: Worksheet, top: int, head: list[str], rows: list[list[str]]) -> int:
    for j, title in enumerate(head, 1):
        cell = ws.cell(top, j, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = _BOX
    for i, row in enumerate(rows, top + 1):
        for j, value in enumerate(row, 1):
            cell = ws.cell(i, j, value)
            cell.border = _BOX
    for j in range(1, len(head) + 1):
        width = max([len(head[j - 1])] + [len(r[j - 1]) for r in rows]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6), 40)
    return top + len(rows) + 1


def _save(wb: Workbook, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    wb.close()
    return path


def sheet_to_xlsx(sheet: jr.GradeSheet, path: str | Path, lang: Lang = "ru") -> Path:
    """A grade sheet as an XLSX workbook: title, header lines, the table, signature lines."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label(sheet.kind, lang)[:31]
    ws.cell(1, 1, label(sheet.kind, lang)).font = Font(bold=True, size=14)
    row = 3
    for key, value in sheet_header(sheet, lang):
        ws.cell(row, 1, key).font = Font(bold=True)
        ws.cell(row, 3, value)
        row += 1
    head, rows = sheet_table(sheet, lang)
    row = _table(ws, row + 1, head, rows) + 2
    for title, name in signature_lines(sheet, lang):
        ws.cell(row, 1, title)
        ws.cell(row, 4, "____________________")
        ws.cell(row, 6, name)
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
    ws.cell(1, 1, f"{label('grid', lang)}: {journal}").font = Font(bold=True, size=14)
    head = [label("student", lang), label("id", lang)] + [f"{c}\n{d}" for c, d in columns]
    rows = [[name, sid] + [marks[sid].get(col, "") for col in columns]
            for sid, name in students]
    _table(ws, 3, head, rows)
    ws.freeze_panes = "C4"
    return _save(wb, path)


def plan_to_xlsx(plan: jr.CalendarPlan, path: str | Path, lang: Lang = "ru",
                 unit_name: str | None = None) -> Path:
    """The КТП as form F1 (the first sheet) plus the ``data`` sheet in the import format of kind
    ``plan``: importing the file back gives the same plan."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "F1"
    ws.cell(1, 1, f"{label('agreed', lang)} ____________ {plan.agreed_by or ''}")
    ws.cell(3, 1, label("ktp", lang)).font = Font(bold=True, size=13)
    ws.cell(4, 1, f"{label('unit', lang)}: {unit_name or plan.unit}")
    ws.cell(5, 1, f"{label('year', lang)}: {plan.year_of_study}    "
                  f"{label('specialty', lang)}: {plan.specialty}    "
                  f"{label('academic_year', lang)}: {plan.academic_year}")
    head = [label(k, lang) for k in ("number", "date", "ktp_time", "ktp_topic", "ktp_hours",
                                     "ktp_teacher", "ktp_room")]
    rows = [[str(c.number), c.on.strftime("%d.%m.%Y"), c.at.strftime("%H:%M"), c.topic,
             show(c.hours), c.teacher, c.room] for c in plan.classes]
    row = _table(ws, 7, head, rows) + 2
    minutes = f"{plan.minutes_number or '___'} {label('of', lang)} " \
              f"{plan.minutes_date.strftime('%d.%m.%Y') if plan.minutes_date else '___'}"
    ws.cell(row, 1, f"{label('approved', lang)} {minutes}")
    ws.cell(row + 2, 1, f"{label('head', lang)} ____________")
    ws.cell(row + 3, 1, f"{label('methodist', lang)} ____________")
    data = wb.create_sheet(jr.IMPORT_SHEET)
    columns, values = plan_rows(plan)
    data.append(columns)
    for r in values:
        data.append(r)
    for cells in data.iter_rows():
        for cell in cells:
            cell.number_format = "@"
    return _save(wb, path)
