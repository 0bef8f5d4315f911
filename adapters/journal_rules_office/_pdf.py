"""PDF documents with fpdf2 and the Roboto font of the font-roboto package (Cyrillic and Kazakh
letters; installed with the ``office`` extra, no network at run time)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

import journal_rules as jr
from journal_rules.grading import GradeSheet
from journal_rules.model import CalendarPlan

from ._common import grid, sheet_header, sheet_table, show, signature_lines
from ._labels import Lang, label

FONT = "Roboto"


def font_file(style: str = "Regular") -> Path:
    """The TTF file of the Roboto font shipped by the font-roboto package."""
    try:
        folder = resources.files("font_roboto").joinpath("files")
    except ModuleNotFoundError:
        raise jr.InvalidInput("pdf", [jr.Problem(
            "the font-roboto package is missing: install journal-rules[office]")]) from None
    return Path(str(folder.joinpath(f"Roboto-{style}.ttf")))


def _pdf(landscape: bool = True) -> FPDF:
    pdf = FPDF(orientation="L" if landscape else "P", format="A4")
    pdf.add_font(FONT, "", str(font_file("Regular")))
    pdf.add_font(FONT, "B", str(font_file("Bold")))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font(FONT, size=10)
    return pdf


def _line(pdf: FPDF, text: str, size: float = 10, bold: bool = False,
          align: str = "L") -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float], size: float = 8) -> None:
    pdf.set_font(FONT, size=size)
    with pdf.table(col_widths=tuple(widths), text_align="CENTER", line_height=size * 0.55,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   first_row_as_headings=True) as table:
        header = table.row()
        for title in head:
            header.cell(title)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)


def _save(pdf: FPDF, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def sheet_to_pdf(sheet: GradeSheet, path: str | Path, lang: Lang = "ru") -> Path:
    """A grade sheet as a PDF page: title, header lines, the table and the signature lines."""
    pdf = _pdf()
    _line(pdf, label(sheet.kind, lang), 14, bold=True, align="C")
    pdf.ln(2)
    header = sheet_header(sheet, lang)
    half = (len(header) + 1) // 2
    for (k1, v1), right in zip(header[:half], [*header[half:], ("", "")][:half], strict=True):
        k2, v2 = right
        pdf.set_font(FONT, "B", 9)
        pdf.cell(38, 5, f"{k1}:")
        pdf.set_font(FONT, "", 9)
        pdf.cell(100, 5, v1)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(38, 5, f"{k2}:" if k2 else "")
        pdf.set_font(FONT, "", 9)
        pdf.cell(0, 5, v2, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    head, rows = sheet_table(sheet, lang)
    n_parts = len(sheet.parts)
    widths = [8, 46, 16] + [20] * n_parts + [18, 15, 17, 15, 17, 34, 26]
    _table(pdf, head, rows, widths)
    pdf.ln(6)
    for title, name in signature_lines(sheet, lang):
        pdf.set_font(FONT, "", 10)
        pdf.cell(80, 8, title)
        pdf.cell(60, 8, "______________________")
        pdf.cell(0, 8, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return _save(pdf, path)


def grid_to_pdf(book: jr.Gradebook, journal: str, path: str | Path,
                lang: Lang = "ru") -> Path:
    """A journal's mark grid, a page per up to 14 dates."""
    columns, students, marks = grid(book, journal)
    pdf = _pdf()
    _line(pdf, f"{label('grid', lang)}: {journal}", 13, bold=True, align="C")
    chunk = 14
    for start in range(0, max(len(columns), 1), chunk):
        part = columns[start:start + chunk]
        head = [label("student", lang)] + [f"{c} {d[5:]}" for c, d in part]
        rows = [[name] + [marks[sid].get(col, "") for col in part] for sid, name in students]
        pdf.ln(3)
        _table(pdf, head, rows, [60] + [15] * len(part), size=7)
    return _save(pdf, path)


def plan_to_pdf(plan: CalendarPlan, path: str | Path, lang: Lang = "ru",
                unit_name: str | None = None) -> Path:
    """The КТП as form F1."""
    pdf = _pdf(landscape=False)
    _line(pdf, f"{label('agreed', lang)} ____________ {plan.agreed_by or ''}", 10, align="R")
    pdf.ln(3)
    _line(pdf, label("ktp", lang), 12, bold=True, align="C")
    _line(pdf, f"{label('unit', lang)}: {unit_name or plan.unit}", 10)
    _line(pdf, f"{label('year', lang)}: {plan.year_of_study}   {label('specialty', lang)}: "
               f"{plan.specialty}   {label('academic_year', lang)}: {plan.academic_year}", 10)
    pdf.ln(2)
    head = [label(k, lang) for k in ("number", "date", "ktp_time", "ktp_topic", "ktp_hours",
                                     "ktp_teacher", "ktp_room")]
    rows = [[str(c.number), c.on.strftime("%d.%m.%Y"), c.at.strftime("%H:%M"), c.topic,
             show(c.hours), c.teacher, c.room] for c in plan.classes]
    _table(pdf, head, rows, [10, 22, 14, 62, 12, 38, 28], size=8)
    pdf.ln(5)
    minutes = f"{plan.minutes_number or '___'} {label('of', lang)} " \
              f"{plan.minutes_date.strftime('%d.%m.%Y') if plan.minutes_date else '___'}"
    _line(pdf, f"{label('approved', lang)} {minutes}", 10)
    pdf.ln(3)
    _line(pdf, f"{label('head', lang)} ______________________", 10)
    _line(pdf, f"{label('methodist', lang)} ______________________", 10)
    return _save(pdf, path)


def note_to_pdf(book: jr.Gradebook, journal: str, control: str, path: str | Path,
                lang: Lang = "ru") -> Path:
    """The explanatory note (form F3) pending or last submitted on a journal's control, with its
    visas."""
    state = book.journal(journal)
    ctl = state.controls.get(control)
    if ctl is None or ctl.note is None:
        raise jr.InvalidInput("note", [jr.Problem(
            f"journal {journal!r} has no explanatory note on control {control!r}",
            path="control")])
    note = ctl.note
    spec = book.directory.journal(journal)
    unit = book.directory.unit(spec.unit)
    group = book.directory.group(spec.group)
    people = book.directory.people
    author = people.get(ctl.note_by or "")
    pdf = _pdf(landscape=False)
    _line(pdf, label("to_vr", lang), 10, align="R")
    pdf.ln(6)
    _line(pdf, label("note", lang), 13, bold=True, align="C")
    pdf.ln(4)
    part = unit.part(spec.part).name if spec.part else None
    lines = [
        (label("error_date", lang), note.error_date.strftime("%d.%m.%Y")),
        (label("cause", lang), note.cause),
        (label("reopen", lang), f"{unit.name}{' / ' + part if part else ''} ({control})"),
        (label("class_types", lang), ", ".join(note.class_types)),
        (label("year", lang), str(group.year_of_study)),
        (label("group", lang), group.id),
        (label("specialty", lang), group.specialty),
        (label("wrong_entry", lang), note.wrong_entry_date.strftime("%d.%m.%Y")),
        (label("reason", lang), note.reason),
    ]
    for key, value in lines:
        _line(pdf, f"{key}: {value}", 10)
    pdf.ln(6)
    _line(pdf, f"{label('teacher', lang)} ______________ {author.name if author else ''}", 10)
    pdf.ln(3)
    _line(pdf, label("visas", lang), 10, bold=True)
    roles = book.policy.roles
    for role, person in ctl.visas.items():
        holder = people.get(person)
        title = roles[role].get(lang) if role in roles else role
        _line(pdf, f"{title}: ______________ {holder.name if holder else person}", 10)
    return _save(pdf, path)
