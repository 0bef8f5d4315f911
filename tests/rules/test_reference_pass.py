"""The benchmark's plain reference pass (benchmarks/reference.py: every rule of the shipped
ruleset by hand, no engine) finds exactly what the audit finds, on a generated university with
many reopenings and substitutions, at several dates of its term (pending obligations mid-term,
violations and sanctions after it)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.testing import generate_university

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import reference

RULESET = jr.default_ruleset()


@pytest.fixture(scope="module")
def university() -> jr.MemoryStore:
    store = jr.MemoryStore()
    generate_university(store, RULESET.policy, students=200, seed=11, reopen_rate=0.3,
                           substitution_rate=0.3, late_close_rate=0.3)
    return store


@pytest.mark.parametrize("as_of", [date(2025, 8, 20), date(2025, 9, 12), date(2025, 10, 20),
                                   date(2025, 12, 1), date(2026, 2, 1)])
def test_the_reference_pass_finds_what_the_audit_finds(university: jr.MemoryStore,
                                                       as_of: date) -> None:
    found, sanctions, events = reference.reference_findings(university, RULESET, as_of)
    report = jr.audit(university, RULESET, as_of)
    audited, audited_sanctions = reference.audit_keys(report)
    assert events == sum(info.version for info in university.streams())
    assert found == audited, (sorted(found - audited)[:5], sorted(audited - found)[:5])
    assert sanctions == audited_sanctions
    assert found  # the date has something to find: the comparison is not vacuous


def test_the_reference_pass_covers_every_rule_kind_of_the_shipped_ruleset() -> None:
    """A rule kind the pass does not judge would be silently missing from its findings."""
    judged = {"deadline", "daily_marking", "complete_marks", "authorship", "approval",
              "separation_of_duties", "occurrence", "integrated_sheet", "setup", "periodic",
              "precedes", "ladder"}
    assert {rule.kind_name for rule in RULESET.rules} <= judged
