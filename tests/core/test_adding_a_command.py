"""Item 3 of issue 10: a command and an event own their behaviour, so adding a command is two
classes. This module defines a new command and its event (here, nowhere else) and runs them
through the guarded gradebook: validated by the command's own checks, guarded by a ruleset that
grants (or does not grant) the new action and orders it in the lifecycle, recorded, applied to
the journal's state, read back from the store, and seen by the audit's rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import attrs
import pytest
import yaml

import journal_rules as jr
from journal_rules._commands import ACTIONS, JOURNAL_ACTIONS, JournalCommand, forget
from journal_rules._events import EVENT_TYPES, ControlEvent, Event, payload_of
from journal_rules._guard import GuardContext
from journal_rules._journal import ControlState, JournalState
from journal_rules._ruleset import DEFAULT_RULESET, bundled_rulesets
from journal_rules._storage import StoredEvent
from journal_rules._validation import Checker
from journal_rules.commands import CloseJournal, HoldClass
from journal_rules.events import journal_stream
from journal_rules.testing import build_faculty, demo_clock

JOURNAL = "anat/101/2025-1"
CLASS_DAY = date(2025, 9, 2)
MESSAGES = {"ru": "«{actor}»: отмена занятия запрещена.", "kk": "«{actor}»: сабақты болдырмау "
            "тыйым салынған.", "en": "'{actor}' may not cancel a class."}


@pytest.fixture
def cancel_class() -> Iterator[tuple[type[JournalCommand], type[ControlEvent]]]:
    """The new command and its event, defined for one test (defining them registers them;
    the registry forgets them afterwards, so no other test sees a new action)."""

    @attrs.frozen
    class ClassCancelled(ControlEvent):
        """A class held by mistake is struck out of the journal's classes."""

        type: ClassVar[str] = "class_cancelled"
        action: ClassVar[str] = "cancel_class"
        control: str
        on: date
        reason: str

        def change(self, journal: JournalState, control: ControlState,
                   event: StoredEvent) -> None:
            journal.classes.pop((self.control, self.on), None)

    @attrs.frozen
    class CancelClass(JournalCommand):
        records: ClassVar[type[Event]] = ClassCancelled
        journal: str
        on: date
        reason: str = ""
        control: str | None = None

        def check(self, checker: Checker) -> None:
            if not self.reason.strip():
                checker.fail("a cancelled class needs its reason", "reason")

        def to_event(self, context: GuardContext) -> Event:
            assert context.control is not None
            return ClassCancelled(context.control.point.id, self.on, self.reason)

    try:
        yield CancelClass, ClassCancelled
    finally:
        forget(CancelClass, ClassCancelled)


def _ruleset(tmp_path: Path, granted: bool) -> jr.Ruleset:
    """The shipped ruleset, naming the new action, ordering it in the lifecycle, granting it to
    the journal's teacher (or to nobody's role: the dean's office), and keeping a register of
    cancelled classes."""
    path = bundled_rulesets()[DEFAULT_RULESET]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["actions"]["cancel_class"] = {"ru": "отмена занятия", "kk": "сабақты болдырмау",
                                       "en": "cancel a class"}
    role = "teacher" if granted else "registrar_head"
    scope = "journal_teacher" if granted else "any"
    data["permissions"].append({"id": "perm-cancel-class", "clauses": ["T15"],
                                "actions": ["cancel_class"],
                                "grants": [{"role": role, "scope": scope}],
                                "messages": MESSAGES})
    data["lifecycle"]["transitions"].append({"action": "cancel_class", "from": ["open"]})
    data["rules"].append({"id": "cancelled-classes", "kind": "occurrence", "clauses": ["T16"],
                          "event": "class_cancelled", "severity": "info",
                          "messages": {"ru": "Занятие {on} отменено ({journal}).",
                                       "kk": "{on} сабағы болдырылмады ({journal}).",
                                       "en": "The class of {on} was cancelled ({journal})."}})
    file = tmp_path / "with-cancel.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return jr.load_ruleset(file)


def _book(store: jr.Storage, ruleset: jr.Ruleset, clock: jr.ManualClock) -> jr.Gradebook:
    return jr.Gradebook.for_ruleset(store, ruleset, clock=clock)


def _faculty_with_a_class(ruleset: jr.Ruleset
                          ) -> tuple[jr.Gradebook, jr.ManualClock, jr.MemoryStore]:
    """The demo faculty under ``ruleset``, the anatomy journal's first class held."""
    store = jr.MemoryStore()
    clock = demo_clock()
    book = _book(store, ruleset, clock)
    build_faculty(book, clock)
    clock.set(datetime(2025, 9, 3, 12, tzinfo=UTC))
    book.execute("t-anat", HoldClass(JOURNAL, CLASS_DAY, "Кости черепа"))
    return book, clock, store


def test_a_command_defined_here_is_validated_guarded_recorded_applied_and_read_back(
        cancel_class: tuple[type[JournalCommand], type[ControlEvent]], tmp_path: Path) -> None:
    command_class, event_class = cancel_class
    # The tables are derived from the classes: the new action is a journal action, its event a
    # known type, and a ruleset may grant it.
    assert "cancel_class" in ACTIONS
    assert "cancel_class" in JOURNAL_ACTIONS
    assert EVENT_TYPES["class_cancelled"] is event_class
    ruleset = _ruleset(tmp_path, granted=True)
    book, clock, store = _faculty_with_a_class(ruleset)
    assert book.journal(JOURNAL).classes == {("current-1", CLASS_DAY): "Кости черепа"}
    before = sum(info.version for info in store.streams())

    # Validated: the command's own check names the field.
    with pytest.raises(jr.InvalidInput) as invalid:
        book.execute("t-anat", command_class(JOURNAL, CLASS_DAY, reason=" "))
    assert [p.path for p in invalid.value.problems] == ["reason"]
    # Guarded: the ruleset's grant decides (the journal's teacher only).
    with pytest.raises(jr.CommandRefused) as refused:
        book.execute("t-bio", command_class(JOURNAL, CLASS_DAY, reason="праздник"))
    assert [r.rule_id for r in refused.value.refusals] == ["perm-cancel-class"]
    assert refused.value.refusals[0].facts["action"] == "cancel_class"
    assert sum(info.version for info in store.streams()) == before

    # Recorded and applied: the typed event, in the journal's stream and its state.
    (stored,) = book.execute("t-anat", command_class(JOURNAL, CLASS_DAY, reason="праздник"))
    assert stored.type == "class_cancelled"
    assert stored.stream == journal_stream(JOURNAL)
    assert stored.data == {"control": "current-1", "on": "2025-09-02", "reason": "праздник"}
    state = book.journal(JOURNAL)
    assert state.classes == {}
    assert state.anomalies == []

    # The lifecycle orders it like any action: not in a closed control.
    book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    with pytest.raises(jr.CommandRefused) as closed:
        book.execute("t-anat", command_class(JOURNAL, CLASS_DAY, reason="праздник"))
    assert [r.rule_id for r in closed.value.refusals] == ["journal-lifecycle"]

    # Read back: another gradebook over the same store decodes it into the class defined here.
    again = _book(store, ruleset, clock)
    assert again.journal(JOURNAL).snapshot() == state.snapshot()
    assert again.journal(JOURNAL).classes == {}
    (read,) = [e for e in store.read(journal_stream(JOURNAL)) if e.type == "class_cancelled"]
    assert payload_of(read) == event_class("current-1", CLASS_DAY, "праздник")

    # The audit's rules read it: an occurrence rule over the new event registers it.
    report = jr.audit(store, ruleset, date(2025, 9, 4))
    entries = [f for f in report.register if f.rule_id == "cancelled-classes"]
    assert [(f.journal, f.control) for f in entries] == [(JOURNAL, "current-1")]


def test_a_ruleset_that_grants_the_new_action_to_another_role_refuses_the_teacher(
        cancel_class: tuple[type[JournalCommand], type[ControlEvent]], tmp_path: Path) -> None:
    command_class, _ = cancel_class
    book, _, _ = _faculty_with_a_class(_ruleset(tmp_path, granted=False))
    with pytest.raises(jr.CommandRefused) as refused:
        book.execute("t-anat", command_class(JOURNAL, CLASS_DAY, reason="праздник"))
    assert [r.rule_id for r in refused.value.refusals] == ["perm-cancel-class"]
    assert book.journal(JOURNAL).classes == {("current-1", CLASS_DAY): "Кости черепа"}


def test_a_ruleset_must_grant_a_defined_action_and_the_registry_forgets_a_tests_classes(
        cancel_class: tuple[type[JournalCommand], type[ControlEvent]]) -> None:
    command_class, event_class = cancel_class
    # Defined, the action needs a grant: the shipped ruleset (which does not know it) is refused.
    with pytest.raises(jr.InvalidInput) as refused:
        jr.default_ruleset()
    assert any("cancel_class" in p.message for p in refused.value.problems)
    # A second command for the same action, or a second event of the same type, is a mistake.
    with pytest.raises(TypeError, match="already"):
        @attrs.frozen
        class Again(JournalCommand):
            records: ClassVar[type[Event]] = event_class
            journal: str
    forget(command_class, event_class)
    assert "cancel_class" not in ACTIONS
    assert "class_cancelled" not in EVENT_TYPES
    assert jr.default_ruleset().policy.permissions
