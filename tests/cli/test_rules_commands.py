"""The policy author's commands end to end: ``rules lint/test/coverage/schema/explain`` and
``audit`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_cli_lint_test_coverage_schema_and_audit(tmp_path: Path) -> None:
    runner = CliRunner()
    ruleset = str(ROOT / "rulesets" / "kaznmu-sop-2021.yaml")
    result = runner.invoke(app, ["rules", "lint", ruleset])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["rules", "test", str(ROOT / "rulesets" / "tests")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(" passed, 0 failed")
    result = runner.invoke(app, ["rules", "coverage", "--tests",
                                 str(ROOT / "rulesets" / "tests")])
    assert result.exit_code == 0, result.output
    assert "MISSING" not in result.output
    result = runner.invoke(app, ["rules", "schema"])
    assert json.loads(result.output)["title"] == "journal-rules ruleset"
    broken = tmp_path / "bad.yaml"
    broken.write_text("ruleset: {id: x, extends: kaznmu-sop-2021}\nrules:\n"
                      "  - {id: close-deadline, kind: deadlin}\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "lint", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:3" in result.output
    assert "did you mean 'deadline'" in result.output
    result = runner.invoke(app, ["audit", "--store", "memory://", "--as-of", "2025-09-10",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ruleset"]["id"] == "kaznmu-sop-2021"
    assert any(f["rule_id"] == "contingent-setup" for f in data["findings"])
    result = runner.invoke(app, ["rules", "explain", "--case",
                                 str(ROOT / "rulesets" / "tests" / "reopening.yaml"),
                                 "--rule", "reopen-visas", "--lang", "ru"])
    assert result.exit_code == 0
    assert "reopen-visas" in result.output


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--rule", "reopen-visa", "unknown rule of kaznmu-sop-2021 'reopen-visa' (did you mean "),
    ("--journal", "anat/101/2025-9", "unknown journal 'anat/101/2025-9'"),
])
def test_explain_with_an_unknown_rule_or_journal_is_an_error(tmp_path: Path, option: str,
                                                             value: str, hint: str) -> None:
    url = f"tinydb://{tmp_path}/store"
    assert CliRunner().invoke(app, ["demo", "--store", url]).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", "from journal_rules_cli import main; main()", "rules", "explain",
         "--store", url, "--as-of", "2025-10-31", option, value],
        capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert hint in result.stderr
    known = subprocess.run(
        [sys.executable, "-c", "from journal_rules_cli import main; main()", "rules", "explain",
         "--store", url, "--as-of", "2025-10-31", "--journal", "anat/101/2025-1"],
        capture_output=True, text=True, check=False)
    assert known.returncode == 0, known.stderr
