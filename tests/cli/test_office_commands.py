"""The office commands of the command line: templates, import, sheets."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

import journal_rules as jr
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
