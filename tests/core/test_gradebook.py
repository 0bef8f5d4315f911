"""The command API: what is allowed, what is refused and why, and that a refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import journal_rules as jr
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    CorrectMark,
    EnterMarks,
    GiveVisa,
    OpenJournal,
    RegisterPeople,
    RegisterSubstitution,
    Reopen,
    SubmitNote,
)
from journal_rules.events import EVENT_TYPES, EventLog
from journal_rules.model import (
    LANGUAGES,
    ControlKind,
    ControlPoint,
    ExplanatoryNote,
    JournalSpec,
    Person,
    Substitution,
)
from journal_rules.storage import NewEvent
from journal_rules.testing import build_faculty, demo_clock, demo_gradebook

JOURNAL = "anat/101/2025-1"


def _count(store: jr.Storage) -> int:
    return sum(info.version for info in store.streams())


def test_demo_term_reaches_the_expected_state(ruleset: jr.Ruleset) -> None:
    book = demo_gradebook(jr.MemoryStore(), ruleset)
    state = book.journal(JOURNAL)
    current = state.controls["current-1"]
    assert current.state == "closed"
    assert current.reopen_count == 1
    assert [kind for kind, _ in current.sheets] == ["regular", "individual"]
    assert set(current.visas) == {"department_head", "curation_dean", "school_dean"}
    assert state.controls["milestone-1"].state == "closed"
    assert state.controls["exam"].state == "open"
    assert state.anomalies == []
    assert len(book.journals()) == 16
    assert jr.verify_store(book.store) == []


def test_marks_by_an_outsider_are_refused_with_reasons(faculty) -> None:
    book, _, store = faculty
    before = _count(store)
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-bio", EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))
    (refusal,) = caught.value.refusals
    assert refusal.rule_id == "perm-journal-teacher"
    assert "T13" in refusal.clauses
    assert refusal.facts["actor"] == "t-bio"
    assert refusal.facts["journal"] == JOURNAL
    for lang in LANGUAGES:
        text = refusal.message(lang)
        assert "t-bio" in text
        assert "{" not in text
    assert _count(store) == before


def test_unknown_actor_is_refused(faculty) -> None:
    book, _, store = faculty
    before = _count(store)
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("nobody", CloseJournal(JOURNAL, "current-1"))
    assert [r.rule_id for r in caught.value.refusals] == ["unknown-actor"]
    assert _count(store) == before


def test_substitute_may_mark_only_within_the_substitution(faculty) -> None:
    book, clock, _ = faculty
    clock.set(clock.now().replace(month=9, day=10))
    book.execute("head-anat", RegisterSubstitution(Substitution(
        JOURNAL, "t-anat2", "t-anat", date(2025, 9, 8), date(2025, 9, 12), minutes_number="3",
        minutes_date=date(2025, 9, 5), memo_number="СЗ-1", memo_date=date(2025, 9, 5))))
    book.execute("t-anat2", EnterMarks(JOURNAL, date(2025, 9, 9), {"s10101": "77"}))
    clock.set(clock.now().replace(day=16))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat2", EnterMarks(JOURNAL, date(2025, 9, 15), {"s10101": "77"}))
    assert [r.rule_id for r in caught.value.refusals] == ["perm-journal-teacher"]
    assert book.journal(JOURNAL).grid[("s10101", date(2025, 9, 9), "current-1")] == "77"


def test_invalid_marks_name_every_bad_cell(faculty) -> None:
    book, _, store = faculty
    before = _count(store)
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 2), {
            "s10101": "101", "s10102": "нб", "s10103": "80", "s10104": "70.5", "s10105": "н/б"}))
    (refusal,) = caught.value.refusals
    assert refusal.rule_id == "mark-validity"
    assert refusal.facts["cells"] == ["s10101=101", "s10102=нб", "s10104=70.5"]
    assert _count(store) == before


def test_unknown_students_and_controls_are_invalid_input(faculty) -> None:
    book, _, store = faculty
    before = _count(store)
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 2),
                                             {"s20101": "80", "s10201": "80"}, control="curent-1"))
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert any("did you mean 'current-1'" in m for m in messages)
    assert any("s10201" in m for m in messages)
    assert _count(store) == before
    with pytest.raises(jr.UnknownEntity) as unknown:
        book.execute("t-anat", CloseJournal("anat/101/2025-2", "current-1"))
    assert unknown.value.suggestion == JOURNAL


def _close_and_request(book: jr.Gradebook) -> None:
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    book.execute("t-anat", SubmitNote(JOURNAL, "current-1", ExplanatoryNote(
        date(2025, 9, 3), "ошибка", ["практика"], date(2025, 9, 3), "не тот студент")))


@pytest.mark.parametrize("missing", ["department_head", "curation_dean", "school_dean"])
def test_a_note_missing_any_visa_cannot_be_approved(faculty, missing: str) -> None:
    book, _, _ = faculty
    _close_and_request(book)
    signers = {"department_head": "head-anat", "curation_dean": "curator", "school_dean": "dean"}
    for role, person in signers.items():
        if role != missing:
            book.execute(person, GiveVisa(JOURNAL, "current-1", role))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("or-senior", ApproveNote(JOURNAL, "current-1"))
    (refusal,) = caught.value.refusals
    assert refusal.rule_id == "reopen-visas"
    assert refusal.facts["missing"] == [missing]
    # The message names the missing visa as the ruleset calls the role, never by its id.
    name = jr.default_ruleset().policy.roles[missing]
    assert name.ru in refusal.message("ru")
    assert name.kk in refusal.message("kk")
    assert missing not in refusal.message("ru")


def test_visa_from_the_wrong_department_is_refused(faculty) -> None:
    book, _, _ = faculty
    _close_and_request(book)
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("head-bio", GiveVisa(JOURNAL, "current-1", "department_head"))
    # Who gives visas is said once, by the permission.
    assert {r.rule_id for r in caught.value.refusals} == {"perm-visa"}


def test_only_the_registrar_head_reopens(faculty) -> None:
    book, _, _ = faculty
    _close_and_request(book)
    for role, person in {"department_head": "head-anat", "curation_dean": "curator",
                         "school_dean": "dean"}.items():
        book.execute(person, GiveVisa(JOURNAL, "current-1", role))
    book.execute("or-senior", ApproveNote(JOURNAL, "current-1"))
    decision = book.check("or-senior", Reopen(JOURNAL, "current-1"))
    assert not decision.allowed
    assert decision.refusals[0].rule_id == "perm-reopen"
    assert book.check("or-head", Reopen(JOURNAL, "current-1")).allowed


def test_marks_are_refused_on_a_closed_control(faculty) -> None:
    book, _, _ = faculty
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))
    (refusal,) = caught.value.refusals
    assert refusal.rule_id == "journal-lifecycle"
    assert refusal.facts["state"] == "closed"
    assert refusal.facts["allowed_in"] == ["open", "reopened"]


def test_a_correction_needs_a_reason(faculty) -> None:
    book, _, _ = faculty
    book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat", CorrectMark(JOURNAL, "s10101", date(2025, 9, 2), "85"))
    assert caught.value.refusals[0].rule_id == "reason-required"
    events = book.execute("t-anat", CorrectMark(JOURNAL, "s10101", date(2025, 9, 2), "85",
                                                   reason="описка"))
    assert events[0].reason == "описка"
    assert events[0].data["old"] == "80"


def test_a_second_gradebook_sees_the_same_state(ruleset: jr.Ruleset) -> None:
    store = jr.MemoryStore()
    first = demo_gradebook(store, ruleset)
    second = jr.Gradebook(store, ruleset.policy, clock=demo_clock())
    assert second.journals() == first.journals()
    assert second.journal(JOURNAL).snapshot() == first.journal(JOURNAL).snapshot()


def test_a_stale_gradebook_retries_after_a_conflict(ruleset: jr.Ruleset) -> None:
    store = jr.MemoryStore()
    clock = demo_clock()
    first = jr.Gradebook(store, ruleset.policy, clock=clock)
    build_faculty(first, clock)
    clock.set(datetime(2025, 9, 15, 12, tzinfo=UTC))
    second = jr.Gradebook(store, ruleset.policy, clock=clock)
    second.journal(JOURNAL)  # cache its state
    first.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 2), {"s10101": "80"}))
    first.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    # The second gradebook still thinks the control is open: the store's version check catches
    # it, the gradebook re-reads, and the guard now refuses on the true state.
    with pytest.raises(jr.CommandRefused) as caught:
        second.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 3), {"s10101": "90"}))
    assert caught.value.refusals[0].rule_id == "journal-lifecycle"
    assert jr.verify_store(store) == []


def test_open_journal_validation_reports_all_problems(faculty) -> None:
    book, _, _ = faculty
    spec = JournalSpec("x", "anatt", "109", "2025-1", ["t-anatt"], [
        ControlPoint("c", ControlKind.CURRENT, date(2025, 9, 5), date(2025, 9, 1))])
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("or-insp", OpenJournal(spec))
    paths = sorted(p.path for p in caught.value.problems)
    assert paths == ["spec.controls[0]", "spec.group", "spec.teachers[0]", "spec.unit"]


def test_bootstrap_registration_needs_a_granted_role(ruleset: jr.Ruleset) -> None:
    book = jr.Gradebook(jr.MemoryStore(), ruleset.policy, clock=demo_clock())
    with pytest.raises(jr.CommandRefused):
        book.execute("t", RegisterPeople([Person("t", "T", {"teacher"})]))
    book.execute("it", RegisterPeople([Person("it", "IT", {"it_department"})]))
    with pytest.raises(jr.CommandRefused):  # after the first, the registry's roles decide
        book.execute("t", RegisterPeople([Person("t", "T", {"it_department"})]))


def test_events_carry_actor_times_and_chain(ruleset: jr.Ruleset) -> None:
    book = demo_gradebook(jr.MemoryStore(), ruleset)
    events = list(book.store.read_recorded())
    assert events, "the demo writes events"
    for event in events:
        assert event.actor
        assert event.recorded_at.tzinfo is not None
        assert event.type in EVENT_TYPES
    window = list(book.store.read_recorded(events[10].recorded_at,
                                           events[10].recorded_at + timedelta(days=1)))
    assert all(events[10].recorded_at <= e.recorded_at for e in window)


def test_a_store_with_unknown_or_malformed_events_is_a_clear_error(ruleset: jr.Ruleset) -> None:
    from datetime import datetime

    at = datetime(2025, 9, 1, tzinfo=UTC)
    store = jr.MemoryStore()
    EventLog(store).append("registry:people", [NewEvent("people_renamed", "it", at)])
    with pytest.raises(jr.StoreError, match=r"registry:people#1: unknown event type"):
        jr.Gradebook(store, ruleset.policy)
    other = jr.MemoryStore()
    EventLog(other).append("registry:people", [NewEvent("people_registered", "it", at,
                                                              data={"people": "x"})])
    with pytest.raises(jr.StoreError, match=r"registry:people#1: the people_registered data"):
        jr.Gradebook(other, ruleset.policy)


@pytest.mark.parametrize(("field", "blank"), [("minutes_number", ""), ("minutes_number", "  "),
                                               ("minutes_date", None), ("memo_number", ""),
                                               ("memo_date", None)])
def test_a_substitution_names_its_minutes_and_memo(faculty, field: str, blank: object) -> None:
    book, _, store = faculty
    documents: dict[str, object] = {"minutes_number": "3", "minutes_date": date(2025, 9, 5),
                                    "memo_number": "СЗ-1", "memo_date": date(2025, 9, 5)}
    documents[field] = blank
    before = _count(store)
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("head-anat", RegisterSubstitution(Substitution(
            JOURNAL, "t-anat2", "t-anat", date(2025, 9, 8), date(2025, 9, 12),
            **documents)))  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == [f"substitution.{field}"]
    assert "T13" in str(caught.value)
    assert _count(store) == before
    assert not book.directory.substitutions.get(JOURNAL)
