"""Hostile and broken registry files (CSV, XLSX): strict, bounded reading; one clear error naming
the row; nothing imported."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import journal_rules as jr
from journal_rules.importing import import_file
from journal_rules.testing import demo_gradebook

CONTINGENT = ["academic_year", "group", "specialty", "year_of_study", "school", "language",
              "curation_dean", "student", "student_name"]
GOOD = ["2025-2026", "201", "Педиатрия", "2", "som", "kk", "curator", "s20101", "Студент 201-01"]


@pytest.fixture
def book() -> jr.Gradebook:
    return demo_gradebook(jr.MemoryStore())


def _count(book: jr.Gradebook) -> int:
    return sum(info.version for info in book.store.streams())


def _refused(book: jr.Gradebook, path: Path, match: str, **kwargs: str
             ) -> list[jr.Problem]:
    before = _count(book)
    with pytest.raises(jr.InvalidInput, match=match) as caught:
        import_file(book, "or-insp", "contingent", path, **kwargs)
    assert _count(book) == before
    return list(caught.value.problems)


def _text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_an_unterminated_quote_is_an_error_naming_the_row(book: jr.Gradebook,
                                                          tmp_path: Path) -> None:
    text = ",".join(CONTINGENT) + "\n" + ",".join(GOOD) + "\n" + \
        '2025-2026,201,Педиатрия,2,som,kk,curator,s20102,"Студент 201-02\n201,x,2,som,kk,c,s3,y\n'
    [problem] = _refused(book, _text(tmp_path / "q.csv", text), "never closed")
    assert problem.row == 3


def test_a_bare_carriage_return_is_an_error_naming_the_row(book: jr.Gradebook,
                                                           tmp_path: Path) -> None:
    text = ",".join(CONTINGENT) + "\r\n" + ",".join(GOOD) + "\r\n" + \
        ",".join(GOOD).replace("s20101", "s20102") + "\r" + ",".join(GOOD) + "\r\n"
    [problem] = _refused(book, _text(tmp_path / "cr.csv", text), "carriage return")
    assert problem.row == 3


def test_a_nul_byte_is_an_error(book: jr.Gradebook, tmp_path: Path) -> None:
    text = ",".join(CONTINGENT) + "\n" + ",".join(GOOD).replace("Студент", "Сту\x00дент") + "\n"
    [problem] = _refused(book, _text(tmp_path / "nul.csv", text), "NUL")
    assert problem.row == 2


def test_text_after_a_closing_quote_is_an_error(book: jr.Gradebook, tmp_path: Path) -> None:
    text = ",".join(CONTINGENT) + "\n" + ",".join(GOOD).replace('s20101', '"s201"01') + "\n"
    [problem] = _refused(book, _text(tmp_path / "q2.csv", text), "not a valid CSV row")
    assert problem.row == 2


@pytest.mark.parametrize(("value", "message"), [
    ("1e999999999", "not a whole number"),
    ("2.5", "not a whole number"),
    ("-1", "out of bounds"),
    ("100000", "out of bounds"),
    ("9" * 40, "not a whole number"),
    ("NaN", "not a whole number"),
])
def test_numbers_are_parsed_with_bounds(book: jr.Gradebook, tmp_path: Path, value: str,
                                        message: str) -> None:
    path = tmp_path / "n.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([CONTINGENT, [*GOOD[:3], value, *GOOD[4:]]])
    [problem] = _refused(book, path, message)
    assert (problem.row, problem.column) == (2, "year_of_study")


def test_field_and_row_limits(book: jr.Gradebook, tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(CONTINGENT + [f"x{i}" for i in range(300)]) + "\n",
                    encoding="utf-8")
    assert _refused(book, wide, "more than 200 columns")[0].row == 1
    long = tmp_path / "long.csv"
    with long.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([CONTINGENT, [*GOOD[:-1], "Я" * 20_000]])
    [problem] = _refused(book, long, "at most 10000")
    assert (problem.row, problem.column) == (2, "student_name")
    tall = tmp_path / "tall.csv"
    tall.write_text(",".join(CONTINGENT) + "\n" + "a\n" * 50_002, encoding="utf-8")
    assert _refused(book, tall, "more than 50000 rows")[0].row is not None


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "data") -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    wb.close()
    return path


def _rewrite(path: Path, member: str, change: object) -> None:
    """Rewrite one part of a zip (``change`` maps its bytes to new bytes)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[member] = change(parts[member])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_xlsx_rows_beyond_an_under_declared_dimension_are_read(book: jr.Gradebook,
                                                               tmp_path: Path) -> None:
    rows: list[list[object]] = [CONTINGENT] + [
        [*GOOD[:7], f"s2010{i}", f"Студент 201-0{i}"] for i in range(1, 6)]
    path = _xlsx(tmp_path / "dim.xlsx", rows)
    _rewrite(path, "xl/worksheets/sheet1.xml",
             lambda b: re.sub(rb'<dimension ref="[A-Z0-9:]+" ?/>', b'<dimension ref="A1:H3"/>', b))
    with zipfile.ZipFile(path) as z:
        assert b'ref="A1:H3"' in z.read("xl/worksheets/sheet1.xml")
    import_file(book, "or-insp", "contingent", path)
    assert len(book.directory.students_of("201")) == 5


def test_a_misspelt_sheet_is_an_error(book: jr.Gradebook, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "s.xlsx", [CONTINGENT, GOOD], sheet="contingent")
    [problem] = _refused(book, path, "no sheet 'contingnet'", sheet="contingnet")
    assert problem.suggestion == "contingent"
    import_file(book, "or-insp", "contingent", path, sheet="contingent")
    assert book.directory.students_of("201")


def test_a_zip_bomb_is_refused_before_it_is_read(book: jr.Gradebook, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "bomb.xlsx", [CONTINGENT, GOOD])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    _refused(book, path, "refused: the workbook unpacks to")


def test_a_dimension_bomb_is_refused_by_its_real_size(book: jr.Gradebook,
                                                      tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dims.xlsx", [CONTINGENT, GOOD])
    # Declares the whole sheet, and has one cell in the very last column: the declared range
    # is ignored and the far cell's row is refused by its width.
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: re.sub(
        rb'<dimension ref="[A-Z0-9:]+" ?/>', b'<dimension ref="A1:XFD1048576"/>', b).replace(
        b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
                         b"</sheetData>"))
    [problem] = _refused(book, path, "more than 200 columns")
    assert problem.row == 3
    # A row number far beyond any spreadsheet: refused, not counted up to.
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(
        b'<row r="3"><c r="XFD3"', b'<row r="99999999"><c r="A99999999"'))
    _refused(book, path, "more than 60000 rows, empty or not")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04garbage", b"\x00" * 100])
def test_damaged_workbooks(book: jr.Gradebook, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    _refused(book, path, "not a readable XLSX")


def test_a_workbook_with_a_damaged_sheet(book: jr.Gradebook, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "broken.xlsx", [CONTINGENT, GOOD])
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2])
    _refused(book, path, "not a readable XLSX")
