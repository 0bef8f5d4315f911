"""The command line's root commands and the embedding example run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import journal_rules as jr
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"journal-rules {jr.__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "rules", "store", "audit"):
        assert command in result.output


def test_demo_on_a_memory_store_prints_the_journal() -> None:
    result = runner.invoke(app, ["demo", "--store", "memory://", "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.output)
    assert state["journal"] == "anat/101/2025-1"
    assert state["controls"]["current-1"] == {
        "state": "closed", "reopened": 1, "closed": 2,
        "visas": {"curation_dean": "curator", "department_head": "head-anat",
                  "school_dean": "dean"},
        "note": True, "sheets": ["regular", "individual"]}


def test_an_unknown_store_scheme_is_a_clear_error() -> None:
    result = subprocess.run([sys.executable, "-c", "from journal_rules_cli import main; main()",
                             "demo", "--store", "memroy://"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2
    assert "did you mean memory://" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_example_runs() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "small_faculty.py")],
                            capture_output=True, text=True, check=True)
    assert "anat/101/2025-1" in result.stdout
    assert "refused by perm-journal-teacher" in result.stdout
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "grid_cells": 195, "verified": True}


def test_demo_prints_the_audit_in_the_chosen_language() -> None:
    result = runner.invoke(app, ["demo", "--store", "memory://", "--lang", "ru"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Аудит на 2025-10-31" in result.output
    assert "close-deadline" in result.output
    assert "sanctions-teacher t-anat" in result.output
    assert "устное предупреждение" in result.output
    bad = runner.invoke(app, ["demo", "--store", "memory://", "--lang", "de"])
    assert bad.exit_code != 0
