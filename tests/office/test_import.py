"""Import of the registry data (P1-P6, T12) from CSV and XLSX: every bad row at once, nothing
imported when anything is wrong; templates; the КТП round trip through XLSX."""

from __future__ import annotations

import csv
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import journal_rules as jr
import journal_rules_office as office
from journal_rules.commands import LoadCalendarPlan, RegisterPeople
from journal_rules.importing import (
    IMPORT_KINDS,
    IMPORT_SHEET,
    import_file,
    plan_import,
    write_templates,
)
from journal_rules.model import CalendarPlan, Person, PlannedClass
from journal_rules.testing import demo_gradebook


@pytest.fixture
def book() -> jr.Gradebook:
    return demo_gradebook(jr.MemoryStore())


def _count(book: jr.Gradebook) -> int:
    return sum(info.version for info in book.store.streams())


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = IMPORT_SHEET
    for row in rows:
        ws.append(row)
    wb.save(path)
    wb.close()
    return path


CONTINGENT = ["academic_year", "group", "specialty", "year_of_study", "school", "language",
              "curation_dean", "student", "student_name"]


def test_templates_exist_for_every_kind(tmp_path: Path) -> None:
    written = write_templates(tmp_path)
    assert {p.name for p in written} == {f"{k}.{e}" for k in IMPORT_KINDS
                                         for e in ("csv", "xlsx")}
    wb = load_workbook(tmp_path / "plan.xlsx", read_only=True)
    try:
        header = next(wb[IMPORT_SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    assert list(header) == [c.name for c in IMPORT_KINDS["plan"].columns]


def test_a_good_csv_imports(book: jr.Gradebook, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", [
        [*CONTINGENT, "order"],
        ["2025-2026",
         "201", "Педиатрия", "2", "som", "kk", "curator", "s20101", "Студент 201-01", "№ 5-к"],
        ["2025-2026",
         "201", "Педиатрия", "2", "som", "kk", "curator", "s20102", "Студент 201-02", "№ 5-к"],
    ])
    events = import_file(book, "or-insp", "contingent", path)
    assert len(events) == 1
    assert book.directory.group("201").specialty == "Педиатрия"
    assert [s.id for s in book.directory.students_of("201")] == ["s20101", "s20102"]


def test_a_csv_with_several_bad_rows_reports_every_one(book: jr.Gradebook,
                                                       tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "bad.csv", [
        CONTINGENT,
        ["2025-2026",
         "201", "Педиатрия", "2", "som", "kk", "curator", "s20101", "Студент 201-01"],
        ["2025-2026",
         "201", "Педиатрия", "два", "som", "kk", "curator", "s20102", "Студент 201-02"],
        ["2025-2026",
         "202", "Педиатрия", "2", "smo", "kk", "curator", "s20201", "Студент 202-01"],
        ["2025-2026",
         "203", "Педиатрия", "2", "som", "kk", "curator", "s20101", ""],
        ["2025-2026",
         "201", "Стоматология", "2", "som", "kk", "curator", "s20103", "Студент 201-03"],
    ])
    before = _count(book)
    with pytest.raises(jr.InvalidInput) as caught:
        import_file(book, "or-insp", "contingent", path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found >= {(3, "year_of_study"), (4, "school"), (5, "student"),
                     (5, "student_name"), (6, "specialty")}
    assert all(p.file == str(path) for p in caught.value.problems)
    school = next(p for p in caught.value.problems if p.column == "school")
    assert school.suggestion == "som"
    assert _count(book) == before
    assert "202" not in book.directory.groups


def test_an_xlsx_with_several_bad_rows_reports_every_one(book: jr.Gradebook,
                                                         tmp_path: Path) -> None:
    header = [c.name for c in IMPORT_KINDS["deadlines"].columns]
    path = _write_xlsx(tmp_path / "bad.xlsx", [
        header,
        ["2025-1", "current", date(2025, 10, 20), date(2025, 10, 23), "123", date(2025, 8, 15)],
        ["2025-1", "curent", None, date(2025, 10, 23), "123", date(2025, 8, 15)],
        ["2025-2", "milestone", None, date(2025, 10, 23), "123", date(2025, 8, 15)],
        ["2025-1", "final", date(2025, 12, 30), "31.12.2025", "123", "15.08.2025"],
        ["2025-1", "intermediate", None, "soon", "124", date(2025, 8, 15)],
    ])
    before = _count(book)
    with pytest.raises(jr.InvalidInput) as caught:
        import_file(book, "or-head", "deadlines", path)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found >= {(3, "control_kind"), (4, "term"), (6, "close_by"), (6, "order_number")}
    assert not any(p.row == 5 for p in caught.value.problems)  # dotted dates are fine
    assert _count(book) == before
    assert "2025-1" not in book.directory.deadlines


def test_a_refusal_by_the_guard_imports_nothing(book: jr.Gradebook, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", [
        CONTINGENT, ["2025-2026",
         "201", "Педиатрия", "2", "som", "kk", "curator", "s20101", "С 1"]])
    before = _count(book)
    with pytest.raises(jr.InvalidInput, match="perm-contingent"):
        import_file(book, "t-anat", "contingent", path)  # a teacher may not (P1)
    assert _count(book) == before


def test_every_kind_imports_from_its_template_shape(book: jr.Gradebook, tmp_path: Path) -> None:
    units = _write_csv(tmp_path / "u.csv", [
        [c.name for c in IMPORT_KINDS["units"].columns],
        ["hist", "", "Гистология", "module", "dep-anat", "4", "2026-01-10", "2026-05-20",
         "практика", "", ""],
        ["hist", "hist-1", "Общая гистология", "", "dep-anat", "2", "2026-01-10", "2026-03-01",
         "", "", ""],
        ["hist", "hist-2", "Частная гистология", "", "dep-bio", "2", "2026-03-02", "2026-05-20",
         "", "", ""],
    ])
    terms = _write_csv(tmp_path / "t.csv", [["id", "academic_year", "number", "starts", "ends"],
                                           ["2025-2", "2025-2026", "2", "2026-01-10",
                                            "2026-05-31"]])
    import_file(book, "methodist", "terms", terms)
    import_file(book, "methodist", "units", units)
    curriculum = _write_csv(tmp_path / "c.csv", [["group", "unit", "term"],
                                                 ["101", "hist", "2025-2"]])
    import_file(book, "methodist", "curriculum", curriculum)
    uploaders = _write_csv(tmp_path / "p.csv", [
        [c.name for c in IMPORT_KINDS["uploaders"].columns],
        ["2025-2026", "dep-anat", "hist", "t-anat", "3", "2025-12-20"],
        ["2025-2026", "dep-anat", "hist", "t-anat2", "3", "2025-12-20"]])
    import_file(book, "head-anat", "uploaders", uploaders)
    journals = _write_csv(tmp_path / "j.csv", [
        [c.name for c in IMPORT_KINDS["journals"].columns],
        ["hist/hist-1/101/2025-2", "hist", "hist-1", "101", "2025-2", "t-anat", "dep-anat",
         "current-1", "current", "2026-01-10", "2026-02-01"],
        ["hist/hist-1/101/2025-2", "hist", "hist-1", "101", "2025-2", "t-anat", "dep-anat",
         "exam", "intermediate", "2026-03-03", "2026-03-03"]])
    import_file(book, "or-insp", "journals", journals)
    assert book.directory.unit("hist").parts[1].department == "dep-bio"
    assert ("101", "hist", "2025-2") in book.directory.curriculum
    assert book.directory.plan_uploaders["hist"].people == ("t-anat", "t-anat2")
    assert list(book.journal("hist/hist-1/101/2025-2").controls) == ["current-1", "exam"]


def test_ktp_exported_to_xlsx_and_imported_back_is_identical(book: jr.Gradebook,
                                                             tmp_path: Path) -> None:
    plan = CalendarPlan("anat", "2025-2026", 1, "Общая медицина", [
        PlannedClass(1, date(2025, 9, 1), time(9, 0), "Введение: «кость как орган»",
                        Decimal(2), "Ахметова А.А.", "ауд. 214"),
        PlannedClass(2, date(2025, 9, 3), time(10, 30), "Скелет туловища",
                        Decimal("1.5"), "Жумабеков Е.Т.", "ауд. 215"),
    ], minutes_number="1", minutes_date=date(2025, 8, 25), agreed_by="Декан ШОМ")
    path = office.plan_to_xlsx(plan, tmp_path / "ktp.xlsx", unit_name="Анатомия")
    commands = plan_import(book, "plan", path)
    assert len(commands) == 1
    command = commands[0]
    assert isinstance(command, LoadCalendarPlan)
    assert command.plan == plan
    import_file(book, "t-anat", "plan", path)
    assert book.directory.plans[("anat", "2025-2026", 1, "Общая медицина")] == plan
    office.plan_to_pdf(plan, tmp_path / "ktp.pdf", unit_name="Анатомия")
    assert (tmp_path / "ktp.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_kind_and_unreadable_files(book: jr.Gradebook, tmp_path: Path) -> None:
    with pytest.raises(jr.InvalidInput, match="did you mean 'plan'"):
        import_file(book, "or-insp", "plna", tmp_path / "x.csv")
    (tmp_path / "x.xlsx").write_text("not a workbook")
    with pytest.raises(jr.InvalidInput, match="not a readable XLSX"):
        import_file(book, "or-insp", "plan", tmp_path / "x.xlsx")
    with pytest.raises(jr.InvalidInput, match="cannot read"):
        import_file(book, "or-insp", "plan", tmp_path / "missing.csv")


# Who imports each kind in docs/first-term.md (the bundled ruleset's permissions).
IMPORTERS = {"orgunits": "it-admin", "people": "it-admin", "contingent": "or-insp",
             "terms": "methodist", "units": "methodist", "curriculum": "methodist",
             "uploaders": "head-anat", "plan": "t-anat", "deadlines": "or-head",
             "journals": "or-insp"}


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_the_templates_example_rows_import_cleanly_in_order(tmp_path: Path, ext: str) -> None:
    assert list(IMPORTERS) == list(IMPORT_KINDS)
    write_templates(tmp_path)
    store = jr.MemoryStore()
    book = jr.Gradebook.for_ruleset(store, jr.default_ruleset())
    book.execute("it-admin", RegisterPeople([
        Person("it-admin", "Администратор", {"it_department"})]))
    for kind, actor in IMPORTERS.items():
        events = import_file(book, actor, kind, tmp_path / f"{kind}.{ext}")
        assert events, kind
    assert book.journals() == ["anat/101/2025-1"]
    assert set(book.directory.people) >= {"t-anat", "s10101", "or-head"}
    assert {u.id for u in book.directory.units["nerv"].parts} == {"nerv-anat", "nerv-neuro"}
