"""Loading rulesets: every error at once with file:line and a suggestion; extends; schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.commands import CloseJournal
from journal_rules.rules import RULE_KINDS, ruleset_json_schema
from journal_rules.testing import build_faculty, demo_clock

ROOT = Path(__file__).resolve().parents[2]
KAZNMU = ROOT / "rulesets" / "kaznmu-sop-2021.yaml"


def _broken(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_bundled_ruleset_loads_with_rules_calendar_and_parameters() -> None:
    ruleset = jr.default_ruleset()
    assert ruleset.ref.id == "kaznmu-sop-2021"
    assert len(ruleset.content_hash) == 64
    # Every built-in kind; `condition` rules are the university's own (examples/custom-rules).
    assert {r.kind for r in ruleset.rules} == set(RULE_KINDS) - {"condition"}
    assert ruleset.parameters["closing_days"].value == 3
    assert ruleset.calendar.country == "KZ"


def test_misspelt_key_unknown_kind_and_wrong_type_are_reported_together(tmp_path: Path) -> None:
    path = _broken(tmp_path, """
ruleset:
  id: broken
  extends: kaznmu-sop-2021
rules:
  - id: close-deadline
    dayz: 3
  - id: new-rule
    kind: deadlin
    clauses: [T11]
    messages: {ru: a, kk: b, en: c}
  - id: grade-sheet-deadline
    days: three
""")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    problems = caught.value.problems
    text = [str(p) for p in problems]
    misspelt = next(p for p in problems if "dayz" in p.message)
    kind = next(p for p in problems if "deadlin" in p.message)
    wrong = next(p for p in problems if "three" in p.message)
    assert misspelt.suggestion == "days"
    assert misspelt.line == 7
    assert kind.suggestion == "deadline"
    assert kind.line == 9
    assert wrong.line == 13
    assert wrong.path.endswith(".days")
    assert all(p.file == str(path) for p in (misspelt, kind, wrong)), text


def test_structure_and_semantic_errors_come_together(tmp_path: Path) -> None:
    text = KAZNMU.read_text(encoding="utf-8")
    text = text.replace("  - id: perm-backup\n", "  - id: perm-backup\n    cluses: [P9]\n", 1)
    text = text.replace("      - {role: it_department, scope: any}\n    messages:\n      ru: \"За",
                        "      - {role: it_departmen, scope: any}\n    messages:\n      ru: \"За",
                        1)
    path = _broken(tmp_path, text)
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    messages = {p.message: p for p in caught.value.problems}
    assert any("cluses" in m for m in messages)
    role = next(p for m, p in messages.items() if "it_departmen" in m)
    assert role.suggestion == "it_department"
    assert role.line is not None


def test_unknown_parameter_and_unknown_section(tmp_path: Path) -> None:
    path = _broken(tmp_path, """
ruleset: {id: x, extends: kaznmu-sop-2021}
calender: {days: working}
rules:
  - {id: close-deadline, days: $closing_dayz}
""")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    by_message = {p.message: p for p in caught.value.problems}
    assert by_message["unknown section 'calender'"].suggestion == "calendar"
    assert by_message["unknown parameter $closing_dayz"].suggestion == "closing_days"


def test_extends_cycle_and_unknown_base(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("ruleset: {id: a, extends: b}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("ruleset: {id: b, extends: a}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput, match="cycle"):
        jr.load_ruleset(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("ruleset: {id: c, extends: kaznmu-sop-2020}\n",
                                     encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(tmp_path / "c.yaml")
    (problem,) = caught.value.problems
    assert problem.suggestion == "kaznmu-sop-2021"
    assert problem.line == 1


def test_extending_with_five_working_days_changes_the_audit(tmp_path: Path) -> None:
    path = tmp_path / "five.yaml"
    path.write_text("""
ruleset:
  id: kaznmu-five-working-days
  extends: kaznmu-sop-2021
rules:
  - id: close-deadline
    days: 5
    counting: working
""", encoding="utf-8")
    five = jr.load_ruleset(path)
    base = jr.default_ruleset()
    assert five.rule("close-deadline").days == 5  # type: ignore[union-attr]
    assert five.rule("grade-sheet-deadline") == base.rule("grade-sheet-deadline")
    assert five.content_hash != base.content_hash
    store = jr.MemoryStore()
    clock = demo_clock()
    book = jr.Gradebook(store, base.policy, clock=clock)
    build_faculty(book, clock)
    # current-1 ends Wed 22.10.2025; 30.10 is calendar day 8 but working day 5 (Mon 27.10 is a
    # public holiday): late under the KazNMU ruleset, on time under the extended one.
    from datetime import UTC, datetime
    clock.set(datetime(2025, 10, 30, 5, 0, tzinfo=UTC))
    book.execute("t-anat", CloseJournal("anat/101/2025-1", "current-1"))

    def late(ruleset: jr.Ruleset) -> list[jr.Finding]:
        report = jr.audit(store, ruleset, date(2025, 11, 10))
        return [f for f in report.violations if f.rule_id == "close-deadline"
                and f.journal == "anat/101/2025-1" and f.control == "current-1"]

    assert late(base)
    assert not late(five)
    assert jr.audit(store, five, date(2025, 11, 10)).ruleset.id == "kaznmu-five-working-days"


def test_json_schema_is_generated_from_the_classes() -> None:
    schema = ruleset_json_schema()
    # A full ruleset, or (`if` it names a base in `extends`) one that gives only what it changes.
    assert schema["else"] == {"$ref": "#/$defs/RulesetDocument"}
    assert schema["then"] == {"$ref": "#/$defs/RulesetDocument-extending"}
    full = schema["$defs"]["RulesetDocument"]
    assert full["additionalProperties"] is False
    kinds = full["properties"]["rules"]["anyOf"][0]["items"]["anyOf"]
    assert len(kinds) == len(RULE_KINDS)
    deadline = schema["$defs"]["DeadlineRule"]
    assert "kind" in deadline["required"]
    assert deadline["additionalProperties"] is False
    extending = schema["$defs"]["RulesetDocument-extending"]
    assert "required" not in extending
    assert extending["additionalProperties"] is False
    assert len(extending["properties"]["rules"]["items"]["allOf"][1]["anyOf"]) == len(
        RULE_KINDS)


def test_a_wrong_parameter_value_is_reported_where_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("ruleset: {id: mine, extends: kaznmu-sop-2021}\n"
                    "parameters:\n"
                    "  closing_days: {value: five}\n"
                    "rules:\n"
                    "  - {id: my-rule, kind: deadlin}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    found = {(p.file, p.line, p.path) for p in caught.value.problems}
    assert (str(path), 3, "parameters.closing_days.value") in found
    assert any(p.line == 5 and p.suggestion == "deadline" for p in caught.value.problems)
    assert len(caught.value.problems) == 2


def test_a_rule_that_fails_to_load_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("ruleset: {id: mine, extends: kaznmu-sop-2021}\n"
                    "rules:\n"
                    "  - {id: close-deadline, kind: deadlin}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    # The department ladder counts close-deadline: it is not reported as unknown there too.
    assert [(p.line, p.path) for p in caught.value.problems] == [(3, "rules[0].kind")]
