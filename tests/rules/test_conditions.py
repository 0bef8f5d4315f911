"""Condition rules (issue 17): the language checked against the fact catalogue at load, compiled
to durable_rules patterns whose joins and absences the engine decides."""

from __future__ import annotations

import itertools
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules._rules._engine import JoinRules
from journal_rules._rules.conditions._compile import Compiled, compile_condition
from journal_rules.rules import fact_catalogue, ruleset_json_schema, run_ruleset_tests
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "custom-rules"
CUSTOM = EXAMPLES / "rulesets" / "custom-rules.yaml"


def test_the_custom_rules_examples_pass_from_the_cli() -> None:
    result = CliRunner().invoke(app, ["rules", "test", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("15 passed, 0 failed")


def test_each_custom_rule_has_cases_on_both_sides_of_its_boundary() -> None:
    results = run_ruleset_tests(EXAMPLES)
    for rule in ("exam-after-milestones", "visa-pace", "corrections-without-note"):
        reports = [r.report for r in results if r.report is not None]
        demo = {"nerv/nerv-phys/101/2025-1", "nerv/nerv-phys/102/2025-1"}
        fired = [rep for rep in reports if any(f.rule_id == rule for f in rep.findings
                                               if f.journal not in demo)]
        quiet = [rep for rep in reports if rep not in fired]
        assert fired, rule
        assert quiet, rule


def _copy_examples(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "custom-rules"
    shutil.copytree(EXAMPLES, folder)
    ruleset = folder / "rulesets" / "custom-rules.yaml"
    text = ruleset.read_text(encoding="utf-8")
    assert old in text
    ruleset.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_changing_one_comparison_changes_the_findings_with_no_python_change(
        tmp_path: Path) -> None:
    # The exam rule with 1 working day instead of 2: the cases at 1 working day no longer fire.
    folder = _copy_examples(tmp_path, "starts < milestone.ends + 2 working days",
                            "starts < milestone.ends + 1 working day")
    results = run_ruleset_tests(folder / "exam-after-milestones.yaml")
    too_early = {
        "an exam 1 working day (Friday, Monday) after the last milestone is too early [row 1]",
        "an exam 1 working day (Friday, Tuesday after the observed holiday) after the last "
        "milestone is too early [row 2]",
        # ... and the demo faculty's own exam 1 working day after its milestone is no finding
        "an exam too close to two milestones is one finding, about the exam"}
    assert {r.name for r in results if not r.passed} == too_early
    # Counting calendar days instead: Friday to Monday is 3 days, on time; the same day is not.
    folder = _copy_examples(tmp_path / "b", "starts < milestone.ends + 2 working days",
                            "starts < milestone.ends + 2 days")
    results = run_ruleset_tests(folder / "exam-after-milestones.yaml")
    assert {r.name for r in results if not r.passed} == too_early


@pytest.mark.parametrize(("old", "new", "message", "suggestion"), [
    ("visa: visa_given same", "visa: visa_givn same", "unknown fact 'visa_givn'", "visa_given"),
    ('kind == "intermediate" and starts', 'kind == "intermediate" and strts',
     "control has no field 'strts'", "starts"),
    ("same journal, control, student", "same journal, contrl, student",
     "no field 'contrl' to join on", "control"),
    ("same journal as milestone", "same journal as milestone2",
     "'milestone2' is no alias bound before this pattern", "milestone"),
    ("and day > previous.day + 1 working day", "and day > previos.day + 1 working day",
     "unknown alias 'previos'", "previous"),
])
def test_lint_refuses_a_mistyped_fact_field_or_join_key_with_file_line_and_suggestion(
        tmp_path: Path, old: str, new: str, message: str, suggestion: str) -> None:
    text = CUSTOM.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "custom.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if new in row)
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.suggestion == suggestion
    assert problem.file == str(path)
    assert problem.line is not None
    assert abs(problem.line - line) <= 1
    result = CliRunner().invoke(app, ["rules", "lint", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{problem.line}:" in result.output
    assert suggestion in result.output


@pytest.mark.parametrize(("pattern", "message"), [
    ("control where kind = 1", "unexpected"),
    ("control where starts < 3", "compares a date with a number"),
    ("control where kind < \"x\"", "a text compares only with == or !="),
    ("control where starts < starts + 1 day", "compares two fields of the same fact"),
    ("control where starts < \"2025-13-01\"", "is not a date"),
    ("at least 99 visa_given", "a count is between 1 and"),
    ("at least 2 control", "a count needs a fact with a position"),
    ("control where ends + 1 working day < starts + 1 day", "mixes calendar days and working"),
])
def test_type_errors_are_refused_with_where_they_are(pattern: str, message: str) -> None:
    found = compile_condition([{"c": pattern}], None)
    assert isinstance(found, list)
    assert found
    assert message in found[0].message
    assert found[0].path == "match[0].c"


def test_the_fact_catalogue_is_printed_by_rules_facts() -> None:
    result = CliRunner().invoke(app, ["rules", "facts"])
    assert result.exit_code == 0
    catalogue = fact_catalogue()
    assert {"visa_given", "mark_corrected", "control", "class_day", "today"} <= set(catalogue)
    assert catalogue["mark_corrected"].fields["student"] == "text"
    assert catalogue["control"].fields["ends"] == "date"
    for name in catalogue:
        assert f"\n{name} (" in "\n" + result.output


def test_the_schema_knows_the_condition_kind() -> None:
    schema = ruleset_json_schema()
    kinds = [d for name, d in schema["$defs"].items() if name == "ConditionRule"]
    assert kinds
    assert {"match", "subject"} <= set(kinds[0]["properties"])


# --- the engine decides: joins and absences, whatever order facts arrive in ----------------------

_VISA_PACE = [
    {"previous": "visa_given"},
    {"visa": "visa_given same journal as previous where position > previous.position "
             "and day > previous.day + 1 day"},
    {"none": "visa_given same journal as previous where position > previous.position "
             "and position < visa.position"},
]


def _visa(n: int, day: int) -> dict[str, object]:
    return {"id": f"v{n}", "fact": "visa_given", "journal": "j", "position": n, "day__n": day}


@settings(max_examples=25, deadline=None)
@given(days=st.lists(st.integers(0, 6), min_size=2, max_size=7), seed=st.integers(0, 10**6))
def test_joins_and_absences_match_a_plain_reading_in_any_posting_order(
        days: list[int], seed: int) -> None:
    compiled = compile_condition(_VISA_PACE, None)
    assert isinstance(compiled, Compiled)
    engine = JoinRules({"pace": compiled.patterns})
    running = list(itertools.accumulate(days))  # visa n given on day running[n]
    facts = [_visa(n, d) for n, d in enumerate(running)]
    random.Random(seed).shuffle(facts)  # the engine must not depend on the order facts come in
    matches = engine.evaluate(facts, {"id": "today", "day__n": 100})
    got = {dict(m.facts)["p_visa"] for m in matches}
    want = {f"v{n}" for n in range(1, len(running)) if running[n] > running[n - 1] + 1}
    assert got == want
    assert engine.stats["facts"] == len(facts)
