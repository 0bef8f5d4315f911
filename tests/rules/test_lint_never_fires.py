"""Item 10 of issue 9: a rule that could never fire (its actions, events or scopes cannot occur)
is a load error that `rules lint` reports with file:line and a suggestion, like any mistake. The
lists checked are derived from the commands, so they cannot drift from what is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules._commands import (
    COMMANDS,
    EMITTED_EVENTS,
    JOURNAL_COMMANDS,
    JOURNAL_EVENT_ACTIONS,
    REGISTRY_EVENTS,
)
from journal_rules._journal import EVENT_ACTIONS
from journal_rules.commands import ACTIONS, JOURNAL_ACTIONS
from journal_rules.events import EVENT_TYPES
from journal_rules.testing import complete_term, demo_gradebook
from journal_rules_cli import app

MESSAGES = "messages: {ru: x, kk: x, en: x}"

BAD = {
    "authorship over a registry action": (
        "{id: people-authorship, kind: authorship, clauses: [T18], actions: [enter_mark, "
        f"register_people], {MESSAGES}}}",
        "rules[0].actions[1]", "'register_people' is a registry action", "could never fire"),
    "authorship over an unknown action": (
        f"{{id: typo-authorship, kind: authorship, clauses: [T18], actions: [entre_mark], "
        f"{MESSAGES}}}",
        "rules[0].actions[0]", "did you mean 'enter_mark'", "could never fire"),
    "occurrence on an event no journal command records": (
        f"{{id: opened-register, kind: occurrence, clauses: [T16], event: journal_opened, "
        f"{MESSAGES}}}",
        "rules[0].event", "'journal_opened' is no journal event", "could never fire"),
    "occurrence on a misspelt event": (
        f"{{id: typo-register, kind: occurrence, clauses: [T16], event: journal_reopend, "
        f"{MESSAGES}}}",
        "rules[0].event", "did you mean 'journal_reopened'", "could never fire"),
    "periodic on a journal event": (
        f"{{id: monthly-reopenings, kind: periodic, clauses: [P9], event: journal_reopened, "
        f"{MESSAGES}}}",
        "rules[0].event", "no registry event", "could never fire"),
    "responsible in a scope that looks at a command": (
        f"{{id: self-register, kind: occurrence, clauses: [T16], event: journal_reopened, "
        f"responsible: [{{role: teacher, scope: self}}], {MESSAGES}}}",
        "rules[0].responsible[0].scope", "would name nobody", "looks at a command"),
    "a regular-sheet deadline on journals that have no regular sheet": (
        "{id: block-sheets, kind: deadline, clauses: [P10], start: control_end, end: "
        "grade_sheet, sheet_kind: regular, days: 3, journals: [discipline, block], "
        f"{MESSAGES}}}",
        "rules[0].journals[1]", "no regular grade sheet is formed for a block journal",
        "journals: [discipline, modular_discipline]"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_rules_lint_refuses_a_rule_that_could_never_fire(tmp_path: Path, name: str) -> None:
    rule, path, *expected = BAD[name]
    file = tmp_path / "never.yaml"
    # the bad rule on line 5, after the base's rules (merged by id: a new id is appended)
    file.write_text("ruleset:\n  id: never\n  extends: kaznmu-sop-2021\nrules:\n"
                    f"  - {rule}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "lint", str(file)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert f"{file}:5" in output, result.output
    for text in expected:
        assert text in output, result.output
    with pytest.raises(jr.InvalidInput) as error:
        jr.load_ruleset(file)
    # the problem is at the rule's field (its index in the merged list: after the base's rules)
    field = path.split(".", 1)[1]
    assert any(p.path.endswith(field) for p in error.value.problems), \
        [p.path for p in error.value.problems]


def test_the_lists_are_derived_from_the_commands() -> None:
    # Every event type the store knows is recorded by some command, and the journal actions of
    # the lifecycle are exactly the journal commands' actions.
    assert set(EVENT_TYPES) == EMITTED_EVENTS
    assert EVENT_ACTIONS == JOURNAL_EVENT_ACTIONS == {c.event: c.action for c in JOURNAL_COMMANDS}
    assert set(EVENT_ACTIONS.values()) == JOURNAL_ACTIONS
    assert {c.action for c in COMMANDS} == ACTIONS
    assert REGISTRY_EVENTS.isdisjoint(EVENT_ACTIONS)
    assert "journal_opened" not in REGISTRY_EVENTS | set(EVENT_ACTIONS)


def test_every_command_records_the_event_it_declares() -> None:
    # The demo term runs most commands through the gradebook, which checks each against its
    # declared event type; the recorded types are those the commands declare.
    store = jr.MemoryStore()
    book = demo_gradebook(store)
    complete_term(book, book.clock)
    recorded = {e.type for s in store.streams() for e in store.read(s.name)}
    assert recorded <= EMITTED_EVENTS
    assert len(recorded) >= 15
