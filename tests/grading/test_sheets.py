"""Grade sheets from the example faculty: every kind, recorded as grade_sheet_formed events."""

from __future__ import annotations

from decimal import Decimal

import pytest

import journal_rules as jr
from journal_rules.grading import (
    SHEET_KINDS,
    Grader,
    GradeSheet,
    compute_grade_sheet,
    recorded_grade_sheets,
)
from journal_rules.testing import complete_term, demo_gradebook


@pytest.fixture(scope="module")
def term() -> tuple[jr.Gradebook, list[GradeSheet]]:
    book = demo_gradebook(jr.MemoryStore())
    clock = book.clock
    assert isinstance(clock, jr.ManualClock)
    return book, complete_term(book, clock)


def _sheet(sheets: list[GradeSheet], kind: str, unit: str, group: str) -> GradeSheet:
    return next(s for s in sheets if (s.kind, s.unit, s.group) == (kind, unit, group))


def test_every_kind_is_formed_and_recorded(term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    book, sheets = term
    assert {s.kind for s in sheets} == set(SHEET_KINDS)
    # regular: anat x 2 groups, 3 modular disciplines x 2; integrated: nerv, cell x 2; individual
    assert len(sheets) == 13
    for sheet in sheets:
        recorded = recorded_grade_sheets(book, sheet.journal)
        assert sheet in recorded
        control = book.journal(sheet.journal).controls[sheet.control]
        assert sheet.kind in [k for k, _ in control.sheets]
    assert complete_term(book, book.clock) == []  # nothing left to do


def test_sheet_holds_what_a_kazakh_sheet_holds(
        term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    _, sheets = term
    sheet = _sheet(sheets, "regular", "anat", "102")
    assert (sheet.unit_name, sheet.group, sheet.specialty, sheet.year_of_study,
            sheet.academic_year, sheet.term_number) == ("Анатомия", "102", "Общая медицина", 1,
                                                        "2025-2026", 1)
    assert sheet.teacher_names == ("Ахметова А.А.",)
    assert [s.role for s in sheet.signatures] == ["teacher", "department_head", "school_dean",
                                                  "registrar_inspector"]
    assert sheet.signatures[1].name == "Зав. кафедрой анатомии"
    rows = {r.student: r for r in sheet.rows}
    assert rows["s10205"].status == "not_admitted"
    assert rows["s10205"].letter == "F"
    failed = rows["s10204"]
    assert (failed.status, failed.exam, failed.final, failed.letter) == \
        ("exam_failed", Decimal(38), Decimal(38), "FX")
    for row in sheet.rows:  # every row is consistent with the scale
        if row.status == "passed":
            assert row.final is not None
            assert Grader.of(jr.default_ruleset()).grade(row.final).letter == row.letter


def test_individual_sheet_after_the_reopening(
        term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    book, sheets = term
    sheet = _sheet(sheets, "individual", "anat", "102")
    assert [r.student for r in sheet.rows] == ["s10204"]
    row = sheet.rows[0]
    # rating 68, corrected exam 83: 40.8 + 33.2 = 74 -> C+
    assert (row.rating, row.exam, row.final, row.letter) == (Decimal(68), Decimal(83),
                                                               Decimal(74), "C+")
    assert book.journal(sheet.journal).controls["exam"].reopen_count == 1


def test_integrated_sheets_by_the_finishing_department(
        term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    book, sheets = term
    nerv = _sheet(sheets, "integrated", "nerv", "101")
    assert nerv.department == "dep-phys"  # the physiology block ends last (T10)
    assert nerv.journal == "nerv/nerv-phys/101/2025-1"
    assert book.directory.journal(nerv.journal).teachers == ("t-phys",)
    missing = next(r for r in nerv.rows if r.student == "s10103")  # no marks in one block
    assert missing.parts["nerv-phys"] is None
    assert missing.status == "not_admitted"
    cell = _sheet(sheets, "integrated", "cell", "101")
    assert cell.department == "dep-anat"
    failed = next(r for r in cell.rows if r.student == "s10102")  # «н/б» at one exam
    assert failed.parts["cell-phys"] == Decimal(0)
    assert (failed.status, failed.letter) == ("failed", "F")
    incomplete = next(r for r in _sheet(sheets, "integrated", "cell", "102").rows
                      if r.student == "s10201")
    assert (incomplete.status, incomplete.final) == ("incomplete", None)


def test_integrated_sheet_matches_hand_computation(
        term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    _, sheets = term
    cell = _sheet(sheets, "integrated", "cell", "101")
    regular = {s.part: {r.student: r for r in s.rows} for s in sheets
               if s.kind == "regular" and s.unit == "cell" and s.group == "101"}
    for row in cell.rows:
        finals = [regular[p][row.student].final for p in ("cell-bio", "cell-phys", "cell-anat")]
        assert all(f is not None for f in finals)
        total = sum(f for f in finals if f is not None)
        # equal average, rounded half up
        assert row.final == (total / 3).quantize(Decimal(1), rounding="ROUND_HALF_UP")


def test_bad_requests_are_typed_errors(term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    book, _ = term
    grading = jr.default_ruleset().grading
    assert grading is not None
    with pytest.raises(jr.InvalidInput, match="no exam of its own"):
        compute_grade_sheet(book, grading, "nerv/nerv-anat/101/2025-1")
    with pytest.raises(jr.InvalidInput, match="never reopened"):
        compute_grade_sheet(book, grading, "cell/cell-bio/101/2025-1", kind="individual",
                               student="s10101")
    with pytest.raises(jr.UnknownEntity):
        compute_grade_sheet(book, grading, "nope/101/2025-1")


def test_sheet_round_trips_through_its_event(
        term: tuple[jr.Gradebook, list[GradeSheet]]) -> None:
    _, sheets = term
    for sheet in sheets:
        assert GradeSheet.from_data(sheet.as_data()) == sheet
