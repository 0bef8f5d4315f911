"""The reopening procedure (T14, R1-R4, F3) through the guarded gradebook and the CLI: the
vice-rector's visa as a working switch, the note's required fields, refusals that say what is
missing once, and separation of duties (no self-granted roles; the steps of one reopening by
different people), enforced by the guard and reported by the audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    Command,
    GiveVisa,
    RegisterPeople,
    Reopen,
    SubmitNote,
)
from journal_rules.model import LANGUAGES, ExplanatoryNote, Person
from journal_rules.testing import build_faculty, demo_clock
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
KAZNMU = ROOT / "rulesets" / "kaznmu-sop-2021.yaml"
VARIANT = ROOT / "rulesets" / "tests" / "rulesets" / "reopening-variant.yaml"
JOURNAL = "anat/101/2025-1"
NOTE = ExplanatoryNote(date(2025, 9, 3), "ошибка ввода", ["практика"], date(2025, 9, 3),
                          "оценка не тому студенту")


def _book(ruleset: jr.Ruleset, store: jr.Storage | None = None
          ) -> tuple[jr.Gradebook, jr.ManualClock]:
    clock = demo_clock()
    book = jr.Gradebook.for_ruleset(store if store is not None else jr.MemoryStore(), ruleset,
                                    clock=clock)
    build_faculty(book, clock)
    return book, clock


def _at(clock: jr.ManualClock, text: str) -> None:
    clock.set(datetime.fromisoformat(text).astimezone(UTC))


def _count(store: jr.Storage) -> int:
    return sum(info.version for info in store.streams())


@pytest.fixture(scope="module")
def kaznmu() -> jr.Ruleset:
    return jr.default_ruleset()


@pytest.mark.parametrize(("field", "note"), [
    ("note.cause", ExplanatoryNote(date(2025, 9, 3), "  ", ["практика"], date(2025, 9, 3),
                                      "x")),
    ("note.reason", ExplanatoryNote(date(2025, 9, 3), "x", ["практика"], date(2025, 9, 3),
                                       "")),
    ("note.class_types", ExplanatoryNote(date(2025, 9, 3), "x", [], date(2025, 9, 3), "x")),
    ("note.class_types[1]", ExplanatoryNote(date(2025, 9, 3), "x", ["практика", " "],
                                               date(2025, 9, 3), "x")),
])
def test_the_note_states_cause_reason_and_class_types(kaznmu: jr.Ruleset, field: str,
                                                      note: ExplanatoryNote) -> None:
    book, clock = _book(kaznmu)
    _at(clock, "2025-10-23T10:00:00+05:00")
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    before = _count(book.store)
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("t-anat", SubmitNote(JOURNAL, "current-1", note))
    assert [p.path for p in caught.value.problems] == [field]
    assert _count(book.store) == before


def _close_and_note(book: jr.Gradebook, clock: jr.ManualClock) -> None:
    _at(clock, "2025-10-23T10:00:00+05:00")
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    _at(clock, "2025-10-24T10:00:00+05:00")
    book.execute("t-anat", SubmitNote(JOURNAL, "current-1", NOTE))


def _refusals(book: jr.Gradebook, actor: str, command: Command) -> list[jr.Refusal]:
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute(actor, command)
    return list(caught.value.refusals)


def test_a_refused_reopening_says_what_is_missing_once_in_the_present(kaznmu: jr.Ruleset
                                                                      ) -> None:
    book, clock = _book(kaznmu)
    _at(clock, "2025-10-23T10:00:00+05:00")
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    # Nothing yet: one refusal (the lifecycle's "not reviewed" is said by it), listing all.
    (refusal,) = _refusals(book, "or-head", Reopen(JOURNAL, "current-1"))
    assert refusal.rule_id == "reopen-approval"
    assert refusal.facts["missing"] == ["department_head", "curation_dean", "school_dean"]
    assert "нельзя открыть повторно" in refusal.message("ru")
    assert "cannot be reopened" in refusal.message("en")
    assert "was reopened" not in refusal.message("en")
    _at(clock, "2025-10-24T10:00:00+05:00")
    book.execute("t-anat", SubmitNote(JOURNAL, "current-1", NOTE))
    book.execute("head-anat", GiveVisa(JOURNAL, "current-1", "department_head"))
    (again,) = _refusals(book, "head-anat", GiveVisa(JOURNAL, "current-1", "department_head"))
    assert again.rule_id == "reopen-visas"
    assert "уже стоит" in again.message("ru")
    (review,) = _refusals(book, "or-senior", ApproveNote(JOURNAL, "current-1"))
    assert review.facts["missing"] == ["curation_dean", "school_dean"]
    assert "cannot be reviewed yet" in review.message("en")
    for said in (refusal, again, review):
        texts = [said.message(lang) for lang in LANGUAGES]
        assert len(set(texts)) == 3
        assert not any("{" in t for t in texts), texts


def test_visas_and_review_without_a_pending_note_are_refused_once(kaznmu: jr.Ruleset) -> None:
    book, clock = _book(kaznmu)
    _at(clock, "2025-10-23T10:00:00+05:00")
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    for actor, command in (("head-anat", GiveVisa(JOURNAL, "current-1", "department_head")),
                           ("or-senior", ApproveNote(JOURNAL, "current-1"))):
        (refusal,) = _refusals(book, actor, command)
        assert refusal.rule_id == "journal-lifecycle"
        assert refusal.facts["state"] == "closed"


def test_a_visa_from_outside_the_scope_is_refused_once(kaznmu: jr.Ruleset) -> None:
    book, clock = _book(kaznmu)
    _close_and_note(book, clock)
    (refusal,) = _refusals(book, "head-bio", GiveVisa(JOURNAL, "current-1",
                                                         "department_head"))
    assert refusal.rule_id == "perm-visa"
    # Allowed to give visas at all, but not in a role the actor does not hold.
    (wrong,) = _refusals(book, "curator", GiveVisa(JOURNAL, "current-1", "school_dean"))
    assert wrong.rule_id == "reopen-visas"
    assert wrong.facts["visa_role"] == "school_dean"


def _full_procedure(book: jr.Gradebook, clock: jr.ManualClock, *, vice_rector: bool) -> None:
    _close_and_note(book, clock)
    for person, role in (("head-anat", "department_head"), ("curator", "curation_dean"),
                         ("dean", "school_dean")):
        book.execute(person, GiveVisa(JOURNAL, "current-1", role))
    if vice_rector:
        book.execute("vr", GiveVisa(JOURNAL, "current-1", "vice_rector"))
    _at(clock, "2025-10-25T10:00:00+05:00")
    book.execute("or-senior", ApproveNote(JOURNAL, "current-1"))
    book.execute("or-head", Reopen(JOURNAL, "current-1"))


def test_the_vice_rector_visa_switch_works_end_to_end(kaznmu: jr.Ruleset) -> None:
    variant = jr.load_ruleset(VARIANT)
    assert variant.parameters["vice_rector_visa"].value is True
    assert kaznmu.parameters["vice_rector_visa"].value is False
    # Off (the default): the three visas suffice; the vice-rector's is not asked for.
    book, clock = _book(kaznmu)
    _full_procedure(book, clock, vice_rector=False)
    assert book.journal(JOURNAL).controls["current-1"].state == "reopened"
    # On: the vice-rector may give it (permission), the guard requires it, and the audit's
    # approval rule agrees with the guard about the reopening it allowed.
    book, clock = _book(variant)
    _close_and_note(book, clock)
    for person, role in (("head-anat", "department_head"), ("curator", "curation_dean"),
                         ("dean", "school_dean")):
        book.execute(person, GiveVisa(JOURNAL, "current-1", role))
    (refusal,) = _refusals(book, "or-senior", ApproveNote(JOURNAL, "current-1"))
    assert refusal.facts["missing"] == ["vice_rector"]
    book.execute("vr", GiveVisa(JOURNAL, "current-1", "vice_rector"))
    _at(clock, "2025-10-25T10:00:00+05:00")
    book.execute("or-senior", ApproveNote(JOURNAL, "current-1"))
    book.execute("or-head", Reopen(JOURNAL, "current-1"))
    report = jr.audit(book.store, variant, date(2025, 10, 26))
    assert not [f for f in report.findings if f.rule_id in ("reopen-approval",
                                                             "journal-authorship",
                                                             "reopening-signatories")]
    # A store written with the switch off, audited with it on: the missing visa is reported.
    book, clock = _book(kaznmu)
    _full_procedure(book, clock, vice_rector=False)
    report = jr.audit(book.store, variant, date(2025, 10, 26))
    (finding,) = [f for f in report.findings if f.rule_id == "reopen-approval"]
    assert finding.facts["missing"] == ["vice_rector"]


def test_requiring_a_visa_nobody_may_give_is_a_lint_error(tmp_path: Path) -> None:
    text = KAZNMU.read_text(encoding="utf-8")
    grant = "      - {role: vice_rector, scope: any}\n"
    assert text.count(grant) == 1
    lines = text.replace(grant, "").splitlines(keepends=True)
    switch = next(i for i, line in enumerate(lines) if line.startswith("  vice_rector_visa:"))
    assert lines[switch + 1].strip() == "value: false"
    off = tmp_path / "off.yaml"
    off.write_text("".join(lines), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "lint", str(off)])
    assert result.exit_code == 0, result.output  # not required: nobody needs to give it
    lines[switch + 1] = lines[switch + 1].replace("false", "true")
    on = tmp_path / "on.yaml"
    on.write_text("".join(lines), encoding="utf-8")
    line = next(i for i, text in enumerate(lines, start=1)
                if "{role: vice_rector, scope: any, enabled:" in text)
    result = runner.invoke(app, ["rules", "lint", str(on)])
    assert result.exit_code == 1, result.output
    assert f"{on}:{line}" in result.output
    assert "no permission lets 'vice_rector' give_visa" in " ".join(result.output.split())


def test_the_one_person_reopening_stops_at_its_first_self_grant(kaznmu: jr.Ruleset) -> None:
    book, clock = _book(kaznmu)
    _at(clock, "2025-10-20T10:00:00+05:00")
    me = book.directory.people["it-admin"]
    every = Person("it-admin", me.name, {"it_department", "teacher", "department_head",
                                            "curation_dean", "school_dean",
                                            "registrar_senior_inspector", "registrar_head"},
                      ("it", "dep-anat", "som", "or"))
    before = _count(book.store)
    (refusal,) = _refusals(book, "it-admin", RegisterPeople([every]))
    assert refusal.rule_id == "no-self-grant"
    assert refusal.clauses == ("T18", "P8")
    assert "registrar_head" in refusal.facts["roles_gained"]
    assert refusal.facts["units_gained"] == ["dep-anat", "som", "or"]
    assert "не может сам(а) себе дать роли" in refusal.message("ru")
    assert _count(book.store) == before
    assert book.directory.people["it-admin"].roles == {"it_department"}
    # Granting the same roles to someone else is allowed: that person is then held apart from
    # a second step of any one reopening.
    book.execute("it-admin", RegisterPeople([Person(
        "ghost", "Одно лицо", every.roles, every.units)]))
    _at(clock, "2025-10-23T10:00:00+05:00")
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    book.execute("t-anat", SubmitNote(JOURNAL, "current-1", NOTE))
    book.execute("ghost", GiveVisa(JOURNAL, "current-1", "department_head"))
    (refusal,) = _refusals(book, "ghost", GiveVisa(JOURNAL, "current-1", "school_dean"))
    assert refusal.rule_id == "reopening-signatories"


def test_a_reopening_whose_steps_share_a_person_is_refused_and_reported(kaznmu: jr.Ruleset
                                                                        ) -> None:
    variant = jr.load_ruleset(VARIANT)  # reopening_distinct_people: false
    two_posts = Person("head-dean", "Зав. кафедрой и декан",
                          {"department_head", "school_dean"}, ("dep-anat", "som"))
    # Under the KazNMU ruleset the guard refuses the second step.
    book, clock = _book(kaznmu)
    book.execute("it-admin", RegisterPeople([two_posts]))
    _close_and_note(book, clock)
    book.execute("head-dean", GiveVisa(JOURNAL, "current-1", "department_head"))
    (refusal,) = _refusals(book, "head-dean", GiveVisa(JOURNAL, "current-1", "school_dean"))
    assert refusal.rule_id == "reopening-signatories"
    assert refusal.facts["steps"] == ["give_visa (department_head)", "give_visa (school_dean)"]
    assert "уже выполняет другой шаг" in refusal.message("ru")
    # A store written under a ruleset that allowed it (or by another path): the audit reports
    # the reopening the KazNMU ruleset would have refused.
    store = jr.MemoryStore()
    book, clock = _book(variant, store)
    book.execute("it-admin", RegisterPeople([two_posts]))
    _close_and_note(book, clock)
    for person, role in (("head-dean", "department_head"), ("curator", "curation_dean"),
                         ("head-dean", "school_dean"), ("vr", "vice_rector")):
        book.execute(person, GiveVisa(JOURNAL, "current-1", role))
    _at(clock, "2025-10-25T10:00:00+05:00")
    book.execute("or-senior", ApproveNote(JOURNAL, "current-1"))
    book.execute("or-head", Reopen(JOURNAL, "current-1"))
    assert not [f for f in jr.audit(store, variant, date(2025, 10, 26)).findings
                if f.rule_id == "reopening-signatories"]
    report = jr.audit(store, kaznmu, date(2025, 10, 26))
    (finding,) = [f for f in report.findings if f.rule_id == "reopening-signatories"]
    assert (finding.kind, finding.person, finding.journal) == ("violation", "head-dean", JOURNAL)
    assert finding.facts["shared"] == ["head-dean"]
    assert finding.facts["shared_steps"] == [
        "head-dean: give_visa (department_head), give_visa (school_dean)"]
    assert "or-head" in finding.responsible
    assert len({finding.message(lang) for lang in LANGUAGES}) == 3
