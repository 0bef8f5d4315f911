"""The scenario builder: "given these events, as of this date, expect these findings or this
refusal", written in Python the way ruleset test cases are written in YAML.

::

    from journal_rules.testing import Scenario

    s = Scenario()                                   # the bundled ruleset, the demo faculty
    s.at("2025-10-23T10:00+05:00").by("t-anat").does(CloseJournal(J, "current-1"))
    s.by("t-bio").refused(EnterMarks(J, date(2025, 10, 20), {"s10101": "80"}),
                          rule="perm-journal-teacher")
    s.expect("2025-10-31", findings=["close-deadline"], absent=["note-deadline"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from journal_rules import (
    AuditReport,
    CommandRefused,
    Gradebook,
    InvalidInput,
    ManualClock,
    MemoryStore,
    Refusal,
    Ruleset,
    Storage,
    audit,
    default_ruleset,
    load_ruleset,
)
from journal_rules._rules._cases import (
    World,
    _check_report,
    expectation_problems,
    load_world,
    play_world,
)
from journal_rules.commands import Command
from journal_rules.storage import StoredEvent


class ScenarioFailed(AssertionError):
    """A scenario's expectation did not hold; the message lists every failed expectation."""


def _moment(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r}: a scenario's moments carry a time zone")
    return moment


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class Scenario:
    """A gradebook on its own store and clock, guarded by a ruleset's policy and rules.

    ``world`` is what exists before the first step: a bundled world, ``"empty"``,
    ``"demo-faculty"`` (the demo faculty's structure, people and journals) or ``"demo-term"``
    (and its recorded term); or a world file (``Path`` or a name ending in ``.yaml``, relative
    to the current folder), or a loaded :class:`World`. The clock starts where the world does.
    """

    def __init__(self, ruleset: Ruleset | str | Path | None = None, *,
                 world: World | str | Path = "demo-faculty", store: Storage | None = None,
                 clock: ManualClock | None = None) -> None:
        # Loaded (and checked) before anything else is loaded or opened.
        world = world if isinstance(world, World) else load_world(world)
        if isinstance(ruleset, str | Path):
            ruleset = load_ruleset(ruleset)
        self.ruleset: Ruleset = ruleset or default_ruleset()
        self.store: Storage = store if store is not None else MemoryStore()
        self.clock = clock or ManualClock(world.clock)
        self.book = Gradebook.for_ruleset(self.store, self.ruleset, clock=self.clock)
        self.actor: str | None = None
        play_world(self.book, self.clock, world)

    # --- given ----------------------------------------------------------------------------------

    def at(self, when: str | datetime) -> Scenario:
        """Move the clock to ``when`` (ISO text with a time zone, or an aware datetime)."""
        self.clock.set(_moment(when))
        return self

    def by(self, actor: str) -> Scenario:
        """Who sends the next commands."""
        self.actor = actor
        return self

    def _who(self, by: str | None) -> str:
        actor = by or self.actor
        if actor is None:
            raise ValueError("say who acts: scenario.by(person_id) or by=...")
        return actor

    def does(self, *commands: Command, by: str | None = None,
             at: str | datetime | None = None) -> list[StoredEvent]:
        """Execute commands that must be allowed; a refusal fails the scenario with its reasons."""
        if at is not None:
            self.at(at)
        actor = self._who(by)
        events: list[StoredEvent] = []
        for command in commands:
            try:
                events.extend(self.book.execute(actor, command))
            except CommandRefused as exc:
                raise ScenarioFailed(f"{actor} was refused {type(command).__name__}: "
                                     + "; ".join(f"[{r.rule_id}] {r.message('en')}"
                                                 for r in exc.refusals)) from None
        return events

    # --- expect ---------------------------------------------------------------------------------

    def refused(self, command: Command, *, rule: str | None = None, by: str | None = None,
                at: str | datetime | None = None) -> tuple[Refusal, ...]:
        """Expect ``command`` to be refused (by ``rule``, if named) and to change nothing."""
        if at is not None:
            self.at(at)
        actor = self._who(by)
        before = [(i.name, i.version) for i in self.store.streams()]
        try:
            self.book.execute(actor, command)
        except CommandRefused as exc:
            ids = [r.rule_id for r in exc.refusals]
            if rule is not None and rule not in ids:
                raise ScenarioFailed(f"{type(command).__name__} by {actor} was refused by "
                                     f"{ids}, not by {rule!r}") from None
            if [(i.name, i.version) for i in self.store.streams()] != before:
                raise ScenarioFailed("a refused command changed the store") from None
            return exc.refusals
        raise ScenarioFailed(f"{type(command).__name__} by {actor} was allowed; expected a "
                             f"refusal{' by ' + repr(rule) if rule else ''}")

    def audit(self, as_of: str | date) -> AuditReport:
        """The audit of everything so far, as of the end of ``as_of``."""
        return audit(self.store, self.ruleset, _day(as_of))

    def expect(self, as_of: str | date, *,
               findings: Iterable[str | Mapping[str, Any]] = (),
               absent: Iterable[str | Mapping[str, Any]] = (),
               sanctions: Sequence[Mapping[str, Any]] = (),
               no_sanctions: Iterable[str | Mapping[str, Any]] = ()) -> AuditReport:
        """Audit as of ``as_of`` and check the expectations, written as in ruleset test cases:
        a rule id, or fields to match (``rule``, ``clause``, ``kind``, ``journal``, ``control``,
        ``subject``, ``person``, ``department``, ``due``, ``severity``, ``responsible``)."""
        expect = {"findings": list(findings), "absent": list(absent),
                  "sanctions": list(sanctions), "no_sanctions": list(no_sanctions)}
        problems = expectation_problems(expect, self.ruleset)
        if problems:  # a misspelt rule id or clause would check nothing
            raise InvalidInput("Scenario.expect", problems)
        report = self.audit(as_of)
        failures = _check_report(report, expect, set())
        if failures:
            raise ScenarioFailed("\n".join(failures))
        return report
