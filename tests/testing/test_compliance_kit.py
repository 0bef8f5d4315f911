"""The compliance kit: the example suite passes as shipped and fails when its ruleset is broken
on purpose; the plugin's options and fixtures work from a user's own test files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.commands import CloseJournal, EnterMarks, RegisterPeople
from journal_rules.model import Person
from journal_rules.testing import Scenario, ScenarioFailed

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "compliance"
JOURNAL = "anat/101/2025-1"


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=folder, capture_output=True, text=True, check=False,
                          timeout=300)


@pytest.fixture
def suite_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "compliance"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_the_example_suite_passes_as_shipped(suite_copy: Path) -> None:
    result = _pytest(suite_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "cases/reopening-ladder.yaml" not in result.stdout  # nothing failed there


def test_the_example_suite_fails_when_the_closing_deadline_is_broken(suite_copy: Path) -> None:
    ruleset = suite_copy / "our-ruleset.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8")
                       + "parameters:\n  closing_days:\n    value: 10\n", encoding="utf-8")
    assert jr.load_ruleset(ruleset).parameters["closing_days"].value == 10
    result = _pytest(suite_copy)
    assert result.returncode == 1, result.stdout
    assert "test_t11_closing_on_the_fourth_day_is_late" in result.stdout
    assert "a closing on day 4 of 3 is late" in result.stdout


def test_the_example_suite_fails_when_a_visa_is_dropped(suite_copy: Path) -> None:
    ruleset = suite_copy / "our-ruleset.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8") + (
        "visas:\n  required:\n    - {role: department_head, scope: journal_department}\n"),
        encoding="utf-8")
    result = _pytest(suite_copy)
    assert result.returncode == 1, result.stdout
    assert "test_t14_a_note_needs_all_four_signatures" in result.stdout


def test_plugin_fixtures_on_a_tinydb_store_per_test(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        "from journal_rules.testing import build_faculty\n"
        "def test_store_is_fresh_tinydb(journal_store, gradebook, journal_ruleset):\n"
        "    assert journal_store.streams() == []\n"
        "    assert type(journal_store).__module__.startswith('journal_rules_tinydb')\n"
        "    build_faculty(gradebook, gradebook.clock)\n"
        "    assert len(gradebook.journals()) == 16\n"
        "def test_second_store_is_fresh_too(journal_store, journal_audit):\n"
        "    assert journal_store.streams() == []\n"
        "    assert journal_audit(__import__('datetime').date(2025, 9, 1)).ruleset.id\n",
        encoding="utf-8")
    result = _pytest(tmp_path, "--journal-store", "tinydb://{tmp}/store")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_scenario_reports_what_it_expected_and_found() -> None:
    s = Scenario()
    s.by("t-anat").does(CloseJournal(JOURNAL, "current-1"), at="2025-10-26T09:00:00+05:00")
    with pytest.raises(ScenarioFailed, match="expected no finding"):
        s.expect("2025-10-31", absent=[{"rule": "close-deadline", "journal": JOURNAL,
                                        "control": "current-1"}])
    with pytest.raises(ScenarioFailed, match="was allowed; expected a refusal"):
        s.by("t-anat").refused(CloseJournal(JOURNAL, "milestone-1"))
    with pytest.raises(ScenarioFailed, match="perm-journal-teacher"):
        s.by("t-bio").does(EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))


def test_scenario_needs_an_actor_and_aware_times() -> None:
    s = Scenario(world="empty")
    with pytest.raises(ValueError, match="who acts"):
        s.does(RegisterPeople([Person("it", "IT", {"it_department"})]))
    with pytest.raises(ValueError, match="time zone"):
        s.at("2025-09-01T10:00")
    with pytest.raises(ValueError, match="unknown world"):
        Scenario(world="demo")
