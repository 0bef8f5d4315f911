"""The audit and the guard over the public API: the demo's findings, languages, determinism,
guard/audit agreement and stream-order independence (hypothesis), threads, the CLI."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import journal_rules as jr
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    Command,
    CorrectMark,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    RegisterSubstitution,
    Reopen,
    SubmitNote,
)
from journal_rules.model import LANGUAGES, ExplanatoryNote, Substitution
from journal_rules.policy import RulesGuard
from tests._shared import copy_store

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 11, 15)
RULESET = jr.default_ruleset()


def test_the_demo_reopening_counts_against_teacher_and_department(
        demo_store: jr.MemoryStore) -> None:
    report = jr.audit(demo_store, RULESET, AS_OF)
    (entry,) = [f for f in report.register if f.rule_id == "reopen-register"]
    assert entry.kind == "register"
    assert entry not in report.violations
    assert entry not in report.findings
    assert entry.journal == "anat/101/2025-1"
    assert entry.clauses == ("T16", "T20", "R5")
    assert {"t-anat", "head-anat"} <= set(entry.responsible)
    teacher = next(s for s in report.sanctions if s.rule_id == "sanctions-teacher")
    assert (teacher.subject, teacher.count, teacher.sanction) == ("t-anat", 1, "verbal_warning")
    department = next(s for s in report.sanctions if s.rule_id == "sanctions-department"
                      and s.subject == "dep-anat")
    assert any(c.startswith("reopened:anat/101/2025-1") for c in department.counted)
    assert not [f for f in report.findings if f.rule_id in ("reopen-approval",
                                                             "journal-authorship")]


def test_findings_and_refusals_carry_clauses_and_three_languages(
        demo_store: jr.MemoryStore) -> None:
    report = jr.audit(demo_store, RULESET, AS_OF)
    assert report.findings
    assert report.ruleset == RULESET.ref
    for finding in report.findings:
        assert finding.clauses
        assert finding.ruleset == RULESET.ref
        texts = {lang: finding.message(lang) for lang in LANGUAGES}
        assert all(texts.values())
        assert len(set(texts.values())) == 3
        assert "{" not in "".join(texts.values()), texts
    for sanction in report.sanctions:
        assert len({sanction.message(lang) for lang in LANGUAGES}) == 3
    store = copy_store(demo_store)
    clock = jr.ManualClock(datetime(2025, 10, 30, 10, tzinfo=UTC))
    book = jr.Gradebook(store, RULESET.policy, clock=clock, guards=[RulesGuard(RULESET)])
    book.execute("t-anat", CloseJournal("anat/102/2025-1", "current-1"))
    decision = book.check("or-head", Reopen("anat/102/2025-1", "current-1"))
    refusal = next(r for r in decision.refusals if r.rule_id == "reopen-approval")
    assert refusal.clauses == ("T14", "R2", "R3", "F3")
    assert refusal.ruleset == RULESET.ref
    assert refusal.facts["journal"] == "anat/102/2025-1"
    assert refusal.facts["has_note"] is False
    assert len({refusal.message(lang) for lang in LANGUAGES}) == 3


def test_audit_is_deterministic_and_json_shaped(demo_store: jr.MemoryStore) -> None:
    first = jr.audit(demo_store, RULESET, AS_OF)
    second = jr.audit(copy_store(demo_store), RULESET, AS_OF)
    assert first == second
    assert json.loads(json.dumps(first.as_dict())) == second.as_dict()


def test_audits_from_several_threads_agree(demo_store: jr.MemoryStore) -> None:
    expected = jr.audit(demo_store, RULESET, AS_OF)
    results: list[jr.AuditReport] = []

    def work() -> None:
        for _ in range(3):
            results.append(jr.audit(demo_store, RULESET, AS_OF))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 18
    assert all(r == expected for r in results)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.dates(date(2025, 9, 1), date(2026, 1, 31)))
def test_audit_does_not_depend_on_the_order_streams_are_read(
        demo_store: jr.MemoryStore, data: st.DataObject, as_of: date) -> None:
    order = data.draw(st.permutations([s.name for s in demo_store.streams()]), label="order")
    assert jr.audit(copy_store(demo_store, order), RULESET, as_of) == \
        jr.audit(demo_store, RULESET, as_of)


JOURNALS = ["anat/101/2025-1", "nerv/nerv-anat/101/2025-1"]
PEOPLE = ["t-anat", "t-anat2", "t-phys", "head-anat", "curator", "dean", "or-senior", "or-head"]
ROLES = ["department_head", "curation_dean", "school_dean", "teacher"]
NOTE = ExplanatoryNote(date(2025, 9, 3), "ошибка", ["практика"], date(2025, 9, 3), "ошибка")


def _command(kind: str, journal: str, day: int, role: str) -> Command:
    on = date(2025, 9, 1) + timedelta(days=day)
    match kind:
        case "marks":
            return EnterMarks(journal, on, {"s10101": "80"})
        case "correct":
            return CorrectMark(journal, "s10101", on, "75", reason="исправление")
        case "close":
            return CloseJournal(journal, "current-1")
        case "note":
            return SubmitNote(journal, "current-1", NOTE)
        case "visa":
            return GiveVisa(journal, "current-1", role)
        case "approve":
            return ApproveNote(journal, "current-1")
        case "sheet":
            return FormGradeSheet(journal, "current-1", kind="individual")
        case "substitute":
            return RegisterSubstitution(Substitution(
                journal, "t-anat2", "t-anat", on, on + timedelta(days=3), minutes_number="1",
                minutes_date=on, memo_number="СЗ", memo_date=on))
    return Reopen(journal, "current-1")


single = st.tuples(
    st.sampled_from(["marks", "correct", "close", "note", "visa", "approve", "reopen", "sheet",
                     "substitute"]),
    st.sampled_from(JOURNALS), st.integers(0, 20), st.sampled_from(ROLES),
    st.sampled_from(PEOPLE), st.integers(1, 40))


@st.composite
def procedure(draw: st.DrawFn) -> list[tuple[str, str, int, str, str, int]]:
    """The whole reopening by the right people (random steps rarely line all of it up), with at
    times one step left out, so legitimate and illegitimate reopenings both occur."""
    journal = draw(st.sampled_from(JOURNALS))
    day = draw(st.integers(0, 20))
    block = [("close", journal, day, "teacher", "t-anat", 2),
             ("note", journal, day, "teacher", "t-anat", 3),
             ("visa", journal, day, "department_head", "head-anat", 2),
             ("visa", journal, day, "curation_dean", "curator", 2),
             ("visa", journal, day, "school_dean", "dean", 2),
             ("approve", journal, day, "teacher", "or-senior", 5),
             ("reopen", journal, day, "teacher", "or-head", 2),
             ("correct", journal, day, "teacher", "t-anat", 3),
             ("close", journal, day, "teacher", "t-anat", 1),
             ("sheet", journal, day, "teacher", "t-anat", 1)]
    skip = draw(st.integers(-len(block), len(block) - 1))
    return [step for i, step in enumerate(block) if i != skip]


steps = st.lists(st.one_of(single.map(lambda step: [step]), procedure()), min_size=1,
                 max_size=12).map(lambda blocks: [step for block in blocks for step in block])


def _agree(base: jr.Storage, plan: list[tuple[str, str, int, str, str, int]]) -> Counter[str]:
    """Play ``plan`` through the guarded gradebook, then audit: nothing the guard allowed is
    reported as forbidden. Returns what was tried, accepted and found."""
    store = copy_store(base)
    clock = jr.ManualClock(datetime(2025, 9, 1, 4, tzinfo=UTC))
    book = jr.Gradebook(store, RULESET.policy, clock=clock, guards=[RulesGuard(RULESET)])
    count: Counter[str] = Counter()
    for kind, journal, day, role, actor, hours in plan:
        clock.advance(hours=hours)
        count["tried"] += 1
        try:
            book.execute(actor, _command(kind, journal, day, role))
        except (jr.CommandRefused, jr.InvalidInput):
            continue
        count["accepted"] += 1
    reopened = sum(c.reopen_count for j in JOURNALS for c in book.journal(j).controls.values())
    event(f"reopenings: {min(reopened, 2)}")
    count["reopened"] += reopened
    report = jr.audit(store, RULESET, clock.now().date() + timedelta(days=30))
    forbidden = [f for f in report.findings if f.rule_id in ("journal-authorship",
                                                             "reopen-approval")]
    assert not forbidden, [f.message("en") for f in forbidden]
    # Findings about what the plan did (its journals), not the setup the demo never records.
    count["findings"] += sum(1 for f in (*report.findings, *report.register)
                             if f.journal in JOURNALS)
    return count


def test_what_the_guard_allowed_the_audit_does_not_report_as_forbidden(
        faculty_store: jr.MemoryStore) -> None:
    totals: Counter[str] = Counter()

    # Derandomized: the same examples on every run, so the shares below are no matter of luck.
    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def prop(plan: list[tuple[str, str, int, str, str, int]]) -> None:
        totals.update(_agree(faculty_store, plan))

    prop()
    # The property must have exercised the guard and the audit, not a guard that refuses
    # everything or an audit with nothing to say: a real share of the commands was accepted,
    # reopenings happened, and the audit reported on the plans' journals.
    # (On the bundled ruleset: 389 of 668 accepted, 36 reopenings, 194 findings.)
    assert totals["accepted"] >= 0.4 * totals["tried"], totals
    assert totals["reopened"] >= 10, totals
    assert totals["findings"] >= 50, totals

