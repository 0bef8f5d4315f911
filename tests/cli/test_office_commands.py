"""The office commands of the command line: templates, import, sheets."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.grading import recorded_grade_sheets
from journal_rules.testing import complete_term, demo_gradebook
from journal_rules_cli._office_commands import register_office_commands


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """test root"""

    register_office_commands(app)
    return app


def test_templates_import_and_sheets(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    result = runner.invoke(app, ["templates", str(tmp_path / "tpl")])
    assert result.exit_code == 0, result.output
    assert "contingent.xlsx" in result.output
    url = f"tinydb://{tmp_path / 'store'}"
    store = jr.open_store(url)
    try:
        book = demo_gradebook(store)
        assert isinstance(book.clock, jr.ManualClock)
        complete_term(book, book.clock)
    finally:
        store.close()
    bad = tmp_path / "bad.csv"
    bad.write_text("group,unit,term\n101,anatt,2025-1\n102,anat,2026-9\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "curriculum", str(bad), "--actor", "methodist",
                                 "--store", url])
    assert result.exit_code == 1
    assert "row 2: column unit" in result.output
    assert "row 3: column term" in result.output
    result = runner.invoke(app, ["sheets", "--store", url, "--out", str(tmp_path / "out"),
                                 "--format", "pdf", "--journal", "nerv/nerv-phys/101/2025-1",
                                 "--grid"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "nerv_nerv-phys_101_2025-1-integrated-1.pdf").exists()
    result = runner.invoke(app, ["sheets", "--store", url, "--out", str(tmp_path / "x"),
                                 "--compute", "--journal", "anat/101/2025-1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x" / "anat_101_2025-1-regular-1.xlsx").exists()


def test_templates_keep_edited_files_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    folder = tmp_path / "tpl"
    assert runner.invoke(app, ["templates", str(folder)]).exit_code == 0
    edited = folder / "people.csv"
    edited.write_text("id,name,roles\nme,Me,teacher\n", encoding="utf-8")
    again = runner.invoke(app, ["templates", str(folder)])
    assert isinstance(again.exception, jr.InvalidInput)
    assert "--force" in str(again.exception)
    assert edited.read_text("utf-8").startswith("id,name,roles\nme,")
    forced = runner.invoke(app, ["templates", str(folder), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "s10101" in edited.read_text("utf-8")


def test_an_exported_grade_sheet_has_numbers_dates_and_a_frozen_header(tmp_path: Path
                                                                       ) -> None:
    import openpyxl

    url = f"tinydb://{tmp_path / 'store'}"
    with jr.open_store(url) as store:
        book = demo_gradebook(store)
        assert isinstance(book.clock, jr.ManualClock)
        complete_term(book, book.clock)
        recorded = recorded_grade_sheets(book, "anat/101/2025-1")
    assert recorded
    assert recorded[-1].formed_on is not None
    result = CliRunner().invoke(_app(), ["sheets", "--store", url, "--out", str(tmp_path / "o"),
                                         "--journal", "anat/101/2025-1"])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "o").glob("anat_101_2025-1-*.xlsx"))
    assert len(written) == len(recorded)
    sheet = recorded[-1]
    wb = openpyxl.load_workbook(written[-1])
    ws = wb.active
    assert ws is not None
    cells = {str(c.value): c for row in ws.iter_rows() for c in row if c.value is not None}
    header = next(c for c in cells.values() if c.value == "ID")
    assert ws.freeze_panes == f"A{header.row + 1}"
    by_student = {ws.cell(r, header.column).value: r for r in range(header.row + 1,
                                                                    ws.max_row + 1)}
    checked = 0
    for row in sheet.rows:
        r = by_student[row.student]
        assert ws.cell(r, header.column).data_type == "s"  # an id stays text
        assert ws.cell(r, 1).value == row.number
        values = [ws.cell(r, c).value for c in range(header.column + 1, ws.max_column + 1)]
        for expected in (row.rating, row.final, row.gpa):
            if expected is not None:
                assert any(isinstance(v, int | float) and v == float(expected) for v in values)
                checked += 1
    assert checked >= len(sheet.rows)
    # The document is dated by its data (the day the sheet was formed), as a date cell.
    dated = [c for c in cells.values() if hasattr(c.value, "date")]
    assert [c.value.date() for c in dated] == [sheet.formed_on]  # type: ignore[union-attr]
    assert dated[0].number_format == "DD.MM.YYYY"


def test_sheets_with_nothing_to_export_says_what_to_do(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    with jr.open_store(url) as store:
        demo_gradebook(store)  # forms sheets without their tables
    result = CliRunner().invoke(_app(), ["sheets", "--store", url, "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "nothing to export" in result.output
    assert "--compute" in result.output
    # As the hint says: computed, every journal that has a sheet of its own gets one; a
    # block's journal is named as skipped, not the end of the export.
    computed = CliRunner().invoke(_app(), ["sheets", "--store", url, "--out",
                                           str(tmp_path / "c"), "--compute"])
    assert computed.exit_code == 0, computed.output
    assert "skipped nerv/nerv-anat/101/2025-1: " in computed.output
    assert (tmp_path / "c" / "anat_101_2025-1-regular-1.xlsx").exists()


def test_a_missing_extra_keeps_its_brackets(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['journal_rules_office'] = None; "
            "from journal_rules_cli import main; main()")
    done = subprocess.run([sys.executable, "-c", code, "sheets", "--out", str(tmp_path),
                           "--store", "memory://"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert "pip install 'journal-rules[office]'" in done.stderr, done.stderr
