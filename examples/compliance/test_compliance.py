"""A compliance suite a university team can copy: it checks that a ruleset and a store behave
as the SOP says. Run it with ``pytest`` in this folder; change pytest.ini to aim it at your own
ruleset (``journal_ruleset``) and store (``journal_store``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import journal_rules as jr
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    EnterMarks,
    GiveVisa,
    RegisterSubstitution,
    Reopen,
    SubmitNote,
)
from journal_rules.model import LANGUAGES, ExplanatoryNote, Substitution
from journal_rules.testing import Scenario, StorageConformance

JOURNAL = "anat/101/2025-1"  # the demo faculty's anatomy journal of group 101
NOTE = ExplanatoryNote(date(2025, 9, 3), "ошибка ввода", ["практика"], date(2025, 9, 3),
                          "оценка выставлена не тому студенту")
VISAS = {"department_head": "head-anat", "curation_dean": "curator", "school_dean": "dean"}

MakeScenario = Callable[..., Scenario]


def test_t11_closing_within_three_days_is_on_time(scenario: MakeScenario) -> None:
    s = scenario()
    s.by("t-anat").does(CloseJournal(JOURNAL, "current-1"), at="2025-10-25T17:00:00+05:00")
    s.expect("2025-10-31", absent=[{"rule": "close-deadline", "journal": JOURNAL,
                                    "control": "current-1"}])


def test_t11_closing_on_the_fourth_day_is_late(scenario: MakeScenario) -> None:
    s = scenario()
    s.by("t-anat").does(CloseJournal(JOURNAL, "current-1"), at="2025-10-26T09:00:00+05:00")
    report = s.expect("2025-10-31", findings=[{"rule": "close-deadline", "journal": JOURNAL,
                                               "control": "current-1", "kind": "violation"}])
    late = [f for f in report.findings if f.rule_id == "close-deadline"
            and f.journal == JOURNAL and f.control == "current-1"]
    assert "T11" in late[0].clauses
    assert all(late[0].message(lang) for lang in LANGUAGES)


def test_t13_t18_only_the_teacher_or_a_substitute_marks(scenario: MakeScenario) -> None:
    s = scenario()
    s.at("2025-09-02T16:00:00+05:00")
    s.by("t-bio").refused(EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}),
                          rule="perm-journal-teacher")
    s.by("head-anat").does(RegisterSubstitution(Substitution(
        JOURNAL, "t-anat2", "t-anat", date(2025, 9, 2), date(2025, 9, 6), minutes_number="5",
        minutes_date=date(2025, 9, 1), memo_number="СЗ-7", memo_date=date(2025, 9, 1))))
    s.by("t-anat2").does(EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))


@pytest.mark.parametrize("mark", ["н/б", "О", "0", "100"])
def test_t19_marks_and_codes_are_accepted(scenario: MakeScenario, mark: str) -> None:
    scenario().by("t-anat").does(EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": mark}),
                                 at="2025-09-02T16:00:00+05:00")


@pytest.mark.parametrize("mark", ["нб", "101", "-1", "O"])  # "O" is a Latin letter
def test_t19_invalid_marks_are_refused(scenario: MakeScenario, mark: str) -> None:
    scenario().by("t-anat").refused(EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": mark}),
                                    rule="mark-validity", at="2025-09-02T16:00:00+05:00")


@pytest.mark.parametrize("missing", sorted(VISAS))
def test_t14_a_note_needs_all_four_signatures(scenario: MakeScenario, missing: str) -> None:
    s = scenario()
    s.at("2025-10-23T10:00:00+05:00").by("t-anat").does(
        CloseJournal(JOURNAL, "current-1"), SubmitNote(JOURNAL, "current-1", NOTE))
    for role, person in VISAS.items():
        if role != missing:
            s.does(GiveVisa(JOURNAL, "current-1", role), by=person)
    s.by("or-senior").refused(ApproveNote(JOURNAL, "current-1"), rule="reopen-visas")


def test_t14_r3_only_the_registrar_head_reopens(scenario: MakeScenario) -> None:
    s = scenario()
    s.at("2025-10-23T10:00:00+05:00").by("t-anat").does(
        CloseJournal(JOURNAL, "current-1"), SubmitNote(JOURNAL, "current-1", NOTE))
    for role, person in VISAS.items():
        s.does(GiveVisa(JOURNAL, "current-1", role), by=person)
    s.by("or-senior").does(ApproveNote(JOURNAL, "current-1"))
    s.by("or-senior").refused(Reopen(JOURNAL, "current-1"), rule="perm-reopen")
    s.by("or-head").does(Reopen(JOURNAL, "current-1"))
    s.expect("2025-10-31", sanctions=[{"rule": "sanctions-teacher", "subject": "t-anat",
                                       "count": 1, "sanction": "verbal_warning"}])


def test_every_finding_explains_itself(scenario: MakeScenario) -> None:
    report = scenario(world="demo-term").audit("2025-12-31")
    assert report.findings
    assert report.ruleset.content_hash
    for finding in report.findings:
        assert finding.clauses
        for lang in LANGUAGES:
            assert "{" not in finding.message(lang)


class TestOurStore(StorageConformance):
    """The storage conformance suite against the store pytest.ini names."""

    shared_across_processes = False  # set True for a store several processes can open

    @pytest.fixture
    def make_store(self, pytestconfig: pytest.Config, tmp_path: object
                   ) -> Callable[[], jr.Storage]:
        url = str(pytestconfig.getini("journal_store") or "memory://")
        url = url.replace("{tmp}", str(tmp_path))
        if url.startswith("memory"):
            shared = jr.MemoryStore()  # one store, several handles: the same object
            return lambda: _Handle(shared)
        return lambda: jr.open_store(url)


class _Handle(jr.Storage):
    """Another handle on one memory store (closing a handle must not lose the store).
    Subclassing ``Storage`` makes it a context manager too (``with handle: ...``)."""

    def __init__(self, store: jr.MemoryStore) -> None:
        self._store = store
        self.append = store.append
        self.read = store.read
        self.read_recorded = store.read_recorded
        self.streams = store.streams

    def close(self) -> None:
        """Nothing to release."""
