"""The built-in kinds decide in the engine by conditions written in the condition language
(issue 17, item 2): a ruleset can read them (``rules explain``) and change one (``when``)
without any Python change; the guard and the audit ask the same compiled conditions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import journal_rules as jr
from journal_rules._rules.conditions._single import (
    compile_fact_condition,
    condition_fields,
    condition_text,
)
from journal_rules.rules import run_ruleset_tests

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "rulesets" / "tests"


def _flat(cond: Any) -> Any:
    """A condition with nested ``$and`` in ``$and`` (``$or`` in ``$or``) flattened: the same
    condition for the engine."""
    (key, value), = cond.items()
    if key not in ("$and", "$or"):
        return cond
    out: list[Any] = []
    for c in map(_flat, value):
        out.extend(c.get(key, [c]))
    return {key: out}


def test_every_built_in_condition_reads_back_as_the_same_engine_condition() -> None:
    ruleset = jr.default_ruleset()
    seen = 0
    for rule in ruleset.rules:
        conds = rule.conditions()
        fields = condition_fields(conds) | {"rule": "text"}
        for cond in conds.values():
            again = compile_fact_condition(condition_text(cond), fields, path="x")
            assert _flat(again) == _flat(cond), (rule.id, condition_text(cond))
            seen += 1
    assert seen >= 20
    texts = ruleset.rule("daily-marking").decision_texts()
    assert texts["violation"] == ('rule == "daily-marking" and course_days <= 5 and '
                                  "(lag > 0 or marked == 0 and waited > 0)")


_LATE_MARKS = """
ruleset: {ruleset}
world: demo-faculty
cases:
  - name: "marks on day 4 after the control"
    steps:
      - {{at: "2025-10-26T10:00:00+05:00", actor: t-anat, do: enter_mark,
         with: {{journal: anat/101/2025-1, "on": 2025-10-20, marks: {{s10101: "70"}}}}{refused}}}
    as_of: 2025-10-26
    expect:
      {expect}:
        - {{rule: close-deadline, kind: violation, journal: anat/101/2025-1, control: current-1}}
"""


def _case(tmp_path: Path, ruleset: str, *, refused: bool, violation: bool) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(_LATE_MARKS.format(
        ruleset=ruleset, refused=", refused: close-deadline" if refused else "",
        expect="findings" if violation else "absent"), encoding="utf-8")
    return path


def test_changing_one_comparison_of_a_built_in_rule_moves_guard_and_audit_together(
        tmp_path: Path) -> None:
    base = TESTS / "rulesets" / "refuse-late.yaml"
    # As shipped: 3 days; marks on day 4 are refused by the guard and the audit finds the
    # control late (the refused marks are not recorded: the finding is the closing's).
    (tmp_path / "a").mkdir()
    shipped = run_ruleset_tests(_case(tmp_path / "a", str(base), refused=True,
                                         violation=True))
    assert [r.passed for r in shipped] == [True], shipped[0].failures
    # One comparison changed in the ruleset: `elapsed > 4`. The guard takes the marks and the
    # audit holds the closing pending, not late: both moved, no Python changed.
    changed = tmp_path / "b"
    changed.mkdir()
    (changed / "four.yaml").write_text(f"""
ruleset:
  id: four-days
  extends: {base.stem}
rules:
  - id: close-deadline
    when:
      violation: >-
        source == "rule" and elapsed > 4 or source == "term_calendar" and past_calendar > 0
      pending: >-
        done == 0 and (source == "rule" and elapsed <= 4
        or source == "term_calendar" and past_calendar <= 0)
""", encoding="utf-8")
    (changed / base.name).write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    moved = run_ruleset_tests(_case(changed, "four.yaml", refused=False, violation=False))
    assert [r.passed for r in moved] == [True], moved[0].failures
    assert any(f.rule_id == "close-deadline" and f.kind == "pending"
               for f in moved[0].report.findings)  # type: ignore[union-attr]


@pytest.mark.parametrize(("when", "message", "suggestion"), [
    ({"violaton": "elapsed > 4"}, "no outcome 'violaton'", "violation"),
    ({"violation": "elapsd > 4"}, "has no field 'elapsd'", "elapsed"),
    ({"violation": "source > 4"}, "compares a text with a number", None),
])
def test_a_mistyped_when_is_refused_at_load(tmp_path: Path, when: dict[str, str], message: str,
                                            suggestion: str | None) -> None:
    (key, text), = when.items()
    path = tmp_path / "r.yaml"
    path.write_text(f"""ruleset:
  id: broken-when
  extends: kaznmu-sop-2021
rules:
  - id: close-deadline
    when:
      {key}: {text}
""", encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.suggestion == suggestion
    assert problem.line == 7
