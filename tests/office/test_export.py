"""Every sheet kind of the example faculty as XLSX and PDF; the mark grid; the note (F3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import journal_rules as jr
import journal_rules_office as office
from journal_rules.grading import SHEET_KINDS, GradeSheet
from journal_rules.testing import complete_term, demo_gradebook


@pytest.fixture(scope="module")
def term() -> tuple[jr.Gradebook, list[GradeSheet]]:
    book = demo_gradebook(jr.MemoryStore())
    assert isinstance(book.clock, jr.ManualClock)
    return book, complete_term(book, book.clock)


def test_every_sheet_kind_as_xlsx_and_pdf(term: tuple[jr.Gradebook, list[GradeSheet]],
                                          tmp_path: Path) -> None:
    _, sheets = term
    kinds: set[str] = set()
    for i, sheet in enumerate(sheets):
        xlsx = office.sheet_to_xlsx(sheet, tmp_path / f"{i}.xlsx")
        pdf = office.sheet_to_pdf(sheet, tmp_path / f"{i}.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert b"Roboto" in pdf.read_bytes()  # the embedded Cyrillic font
        wb = load_workbook(xlsx, read_only=True)
        try:
            values = [v for row in wb.worksheets[0].iter_rows(values_only=True) for v in row
                      if v is not None]
        finally:
            wb.close()
        assert values[0] in {"ЭКЗАМЕНАЦИОННАЯ ВЕДОМОСТЬ", "ИНТЕГРИРОВАННАЯ ВЕДОМОСТЬ",
                             "ИНДИВИДУАЛЬНАЯ ВЕДОМОСТЬ"}
        for row in sheet.rows:
            assert row.name in values
        assert sheet.signatures[0].name in values
        kinds.add(sheet.kind)
    assert kinds == set(SHEET_KINDS)


def test_english_and_kazakh_labels(term: tuple[jr.Gradebook, list[GradeSheet]],
                                   tmp_path: Path) -> None:
    _, sheets = term
    for lang, title in (("en", "EXAMINATION GRADE SHEET"), ("kk", "ЕМТИХАН ВЕДОМОСІ")):
        path = office.sheet_to_xlsx(sheets[0], tmp_path / f"{lang}.xlsx", lang=lang)
        wb = load_workbook(path, read_only=True)
        try:
            assert next(wb.worksheets[0].iter_rows(values_only=True))[0] == title
        finally:
            wb.close()


def test_mark_grid_and_note(term: tuple[jr.Gradebook, list[GradeSheet]],
                            tmp_path: Path) -> None:
    book, _ = term
    path = office.grid_to_xlsx(book, "anat/101/2025-1", tmp_path / "grid.xlsx")
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    assert rows[3][0] == "Студент 101-01"
    assert "н/б" in {v for row in rows for v in row}
    assert office.grid_to_pdf(book, "anat/101/2025-1", tmp_path / "g.pdf").stat().st_size > 0
    note = office.note_to_pdf(book, "anat/102/2025-1", "exam", tmp_path / "note.pdf")
    assert note.read_bytes().startswith(b"%PDF")
    with pytest.raises(jr.InvalidInput):
        office.note_to_pdf(book, "anat/102/2025-1", "current-2", tmp_path / "none.pdf")


def test_the_office_adapter_uses_only_public_names() -> None:
    import ast

    folder = Path(office.__file__).parent
    for file in folder.glob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("journal_rules._"), file
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "jr":
                assert node.attr in jr.__all__, (file, node.attr)
