"""The worked example of docs/policy-authors.md ("Writing a new rule kind"): its kind module and
its ruleset, taken from the guide itself, load and run through the guarded gradebook and an
audit once the kind is in the registry."""

from __future__ import annotations

import re
import sys
import types
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules._rules import kinds
from journal_rules.commands import CorrectMark, EnterMarks
from journal_rules.rules import ruleset_json_schema
from journal_rules.testing import build_faculty, demo_clock

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "policy-authors.md"
JOURNAL = "anat/101/2025-1"
DAY = date(2025, 9, 2)


def _blocks(language: str) -> list[str]:
    section = GUIDE.read_text(encoding="utf-8").split("## Writing a new rule kind", 1)[1]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch) -> type[kinds.RuleBase]:
    """The guide's kind module, imported as a module of its own and put in the registry."""
    (code,) = _blocks("python")
    module = types.ModuleType("correction_limit_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, str(GUIDE), "exec"), module.__dict__)
    cls = module.CorrectionLimitRule
    monkeypatch.setitem(kinds.RULE_KINDS, cls.kind_name, cls)
    return cls


def _ruleset(folder: Path, **replace: str) -> jr.Ruleset:
    (text,) = _blocks("yaml")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = folder / "few-corrections.yaml"
    path.write_text(text, encoding="utf-8")
    return jr.load_ruleset(path)


def _book(ruleset: jr.Ruleset) -> jr.Gradebook:
    clock = demo_clock()
    book = jr.Gradebook.for_ruleset(jr.MemoryStore(), ruleset, clock=clock)
    build_faculty(book, clock)
    clock.set(datetime(2025, 9, 15, 12, tzinfo=UTC))
    book.execute("t-anat", EnterMarks(JOURNAL, DAY, {"s10101": "80", "s10102": "70"}))
    book.execute("t-anat", CorrectMark(JOURNAL, "s10101", DAY, "85", reason="описка"))
    return book


def test_the_guides_kind_is_found_by_the_audit(kind: type[kinds.RuleBase],
                                              tmp_path: Path) -> None:
    ruleset = _ruleset(tmp_path)
    rule = ruleset.rule("correction-limit")
    assert isinstance(rule, kind)
    assert "correction_limit" in str(ruleset_json_schema())
    book = _book(ruleset)
    assert not _findings(book, ruleset)  # one correction: within the limit
    book.execute("t-anat", CorrectMark(JOURNAL, "s10102", DAY, "75", reason="описка"))
    (finding,) = _findings(book, ruleset)
    assert (finding.kind, finding.journal, finding.control) == ("violation", JOURNAL,
                                                                "current-1")
    assert finding.facts["count"] == 2
    assert finding.responsible == ("t-anat",)
    assert finding.message("en") == f"2 corrections in {JOURNAL} (current-1); at most 1 allowed"


def test_the_guides_kind_refuses_at_guard_time(kind: type[kinds.RuleBase],
                                               tmp_path: Path) -> None:
    book = _book(_ruleset(tmp_path, **{"refuse: false": "refuse: true"}))
    with pytest.raises(jr.CommandRefused) as refused:
        book.execute("t-anat", CorrectMark(JOURNAL, "s10102", DAY, "75", reason="описка"))
    (refusal,) = refused.value.refusals
    assert refusal.rule_id == "correction-limit"
    assert refusal.facts["count"] == 2


def test_the_guides_kind_checks_itself_at_load(kind: type[kinds.RuleBase],
                                               tmp_path: Path) -> None:
    with pytest.raises(jr.InvalidInput) as caught:
        _ruleset(tmp_path, **{"control_kinds: [current]": "control_kinds: [curent]"})
    text = str(caught.value)
    assert re.search(r"few-corrections\.yaml:\d+", text), text  # file:line
    assert "control_kinds[0]" in text
    assert "'current'" in text  # the suggestion


def test_without_its_registry_line_the_kind_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(jr.InvalidInput, match="unknown rule kind 'correction_limit'"):
        _ruleset(tmp_path)


def _findings(book: jr.Gradebook, ruleset: jr.Ruleset) -> list[jr.Finding]:
    report = jr.audit(book.store, ruleset, date(2025, 9, 15))
    return [f for f in report.findings if f.rule_id == "correction-limit"]
