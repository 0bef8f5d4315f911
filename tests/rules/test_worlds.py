"""Worlds as data (issue 10, item 6): what exists before a case's first step is a YAML file of
steps in the case format; a case file names a bundled world or a world file beside it; world
files are checked like case files (file:line, did-you-mean) and their steps must all pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.testing import Scenario, bundled_worlds, load_world
from journal_rules_cli import app

CASE = """\
world: {world}
cases:
  - name: "the world's substitute may mark the journal in the substitution's days"
    steps:
      - {{at: "2025-09-03T10:00:00+05:00", actor: t-anat2, do: enter_mark,
         with: {{journal: anat/101/2025-1, "on": 2025-09-03, marks: {{s10101: "80"}}}}}}
      - {{at: "2025-09-20T10:00:00+05:00", actor: t-anat2, do: enter_mark,
         with: {{journal: anat/101/2025-1, "on": 2025-09-20, marks: {{s10101: "80"}}}},
         refused: perm-journal-teacher}}
    as_of: 2025-09-30
    expect:
      absent: [journal-authorship]
"""

WORLD = """\
# The demo faculty, and t-anat2 substitutes in anat/101 for the first two weeks.
world: demo-faculty
steps:
  - at: "2025-08-25T10:00:00+05:00"
    actor: head-anat
    do: register_substitution
    with:
      substitution: {journal: anat/101/2025-1, substitute: t-anat2, replaces: t-anat,
                     starts: 2025-09-01, ends: 2025-09-14, minutes_number: "2",
                     minutes_date: 2025-08-25, memo_number: СЗ-3, memo_date: 2025-08-25}
"""


def _rules_test(path: Path) -> tuple[int, str]:
    """``journal-rules rules test PATH``: its exit code and what it printed (a library error is
    exit 2 with its message, as the command line's entry point prints it)."""
    result = CliRunner().invoke(app, ["rules", "test", str(path)])
    if isinstance(result.exception, jr.JournalRulesError):
        return 2, str(result.exception)
    return result.exit_code, result.output


def test_a_case_file_plays_a_world_file_beside_it(tmp_path: Path) -> None:
    (tmp_path / "substitute.yaml").write_text(WORLD, encoding="utf-8")
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "case.yaml").write_text(CASE.format(world="../substitute.yaml"), encoding="utf-8")
    code, output = _rules_test(cases / "case.yaml")
    assert code == 0, output
    assert output.strip().endswith("1 passed, 0 failed")
    # Without the world's substitution the first mark is refused: the world did something.
    (cases / "bare.yaml").write_text(CASE.format(world="demo-faculty"), encoding="utf-8")
    code, output = _rules_test(cases / "bare.yaml")
    assert code == 1
    assert "refused unexpectedly" in output


def test_the_bundled_worlds_and_the_demo(tmp_path: Path) -> None:
    assert set(bundled_worlds()) == {"empty", "demo-faculty", "demo-term"}
    term = load_world("demo-term")
    assert term.base is not None
    assert term.base.name == "demo-faculty"
    assert term.clock == load_world("demo-faculty").clock
    assert sum(1 for _ in term.steps()) == len(term.own_steps) + len(term.base.own_steps)
    s = Scenario(world="demo-term")
    assert len(s.book.journals()) == 16
    assert s.book.journal("anat/101/2025-1").controls["current-1"].reopen_count == 1
    # A Scenario takes a world file too.
    (tmp_path / "w.yaml").write_text(WORLD, encoding="utf-8")
    s = Scenario(world=tmp_path / "w.yaml")
    assert s.book.directory.substitutions


@pytest.mark.parametrize(("text", "says", "line"), [
    ("world: demo-faculty\nstep: []\n", "unknown world key 'step' (did you mean 'steps'?)", 2),
    ("world: demo-facult\nsteps: []\n", "did you mean 'demo-faculty'", 1),
    ("steps: []\n", "names its base `world` or where its `clock` starts", 1),
    ("clock: soon\nsteps: []\n", "is not a moment", 1),
    ("world: empty\nsteps:\n  - {actor: it-admin, do: register_peple, with: {}}\n",
     "unknown command 'register_peple' (did you mean 'register_people'?)", 3),
    ("world: demo-faculty\nsteps:\n  - {actor: t-anat, do: close, refused: true,\n"
     "     with: {journal: anat/101/2025-1, control: current-1}}\n",
     "'refused' belongs in a test case", 3),
    ("world: w.yaml\nsteps: []\n", "the world is its own base", 1),
])
def test_a_world_file_is_checked_like_a_case_file(tmp_path: Path, text: str, says: str,
                                                  line: int | None) -> None:
    world = tmp_path / "w.yaml"
    world.write_text(text, encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        load_world("w.yaml", beside=tmp_path)
    assert says in str(caught.value)
    problem = next(p for p in caught.value.problems if says.split(" (", maxsplit=1)[0] in str(p))
    assert problem.file == str(world.resolve())
    assert problem.line == line


def test_a_world_step_that_does_not_pass_is_an_error_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "world: demo-faculty\nsteps:\n"
        "  - {at: '2025-09-02T10:00:00+05:00', actor: t-bio, do: enter_mark,\n"
        "     with: {journal: anat/101/2025-1, 'on': 2025-09-02, marks: {s10101: '80'}}}\n",
        encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        Scenario(world=tmp_path / "w.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert "refused unexpectedly" in problem.message
    # Through `rules test`, the case file that names it is refused before any case runs.
    (tmp_path / "c.yaml").write_text(CASE.format(world="w.yaml"), encoding="utf-8")
    code, output = _rules_test(tmp_path / "c.yaml")
    assert code == 2, output
    assert "w.yaml:3" in output


def test_a_case_file_naming_an_unknown_world_says_which(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("world: demo-trem\ncases: []\n", encoding="utf-8")
    code, output = _rules_test(tmp_path / "c.yaml")
    assert code == 2, output
    assert "c.yaml:1" in output
    assert "did you mean 'demo-term'" in output
    (tmp_path / "d.yaml").write_text("world: nowhere.yaml\ncases: []\n", encoding="utf-8")
    code, output = _rules_test(tmp_path / "d.yaml")
    assert code == 2, output
    assert "no world file 'nowhere.yaml'" in output
