"""Editions of an SOP with effective dates: each ruleset says from when it is in force
(``ruleset.in_force: {from: DATE, until: DATE?}``); a store is judged under several editions,
each event by the edition in force on its day, and every finding and refusal names the edition
that judged it.

An edition is in force from its ``from`` to its ``until`` (the last day) or, without one, until
the day before the next edition's ``from``. Editions may not overlap and may not leave a gap;
a day before the first edition is judged by the first, a day after the last ``until`` by the
last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import attrs

from journal_rules._clock import Clock
from journal_rules._decision import Refusal
from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._gradebook import Gradebook
from journal_rules._guard import GuardContext, PolicyGuard
from journal_rules._report import AuditReport, Finding, Sanction
from journal_rules._ruleset import Ruleset, bundled_rulesets, load_ruleset
from journal_rules._storage import Storage
from journal_rules._yaml import read_located

from ._audit import audit
from ._calendar import Calendar
from ._engine import engine_for
from ._facts import read_world
from ._guard import RulesGuard
from .kinds import Verdicts


@attrs.frozen
class Edition:
    """One edition and the days it judges: ``starts`` to ``ends`` (inclusive; None: open)."""

    ruleset: Ruleset
    starts: date
    ends: date | None

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@attrs.frozen
class Editions:
    """The editions of an SOP in date order."""

    editions: tuple[Edition, ...]

    @property
    def rulesets(self) -> tuple[Ruleset, ...]:
        return tuple(e.ruleset for e in self.editions)

    @property
    def latest(self) -> Ruleset:
        return self.editions[-1].ruleset

    def edition_on(self, day: date) -> Edition:
        """The edition in force on ``day`` (before the first: the first; after the last
        ``until``: the last)."""
        for edition in reversed(self.editions):
            if edition.starts <= day:
                return edition
        return self.editions[0]

    def on(self, day: date) -> Ruleset:
        return self.edition_on(day).ruleset


def editions_of(rulesets: Sequence[Ruleset]) -> Editions:
    """Order rulesets by the day they come into force and check they follow on from each other:
    two editions from one day, an edition in force until after the next one starts, or a gap
    between one's ``until`` and the next's ``from`` are each an :class:`InvalidInput`."""
    if not rulesets:
        raise InvalidInput("editions", [Problem("give at least one ruleset")])
    ordered = sorted(rulesets, key=lambda r: r.meta.in_force.starts)
    problems: list[Problem] = []
    out: list[Edition] = []
    for i, ruleset in enumerate(ordered):
        force = ruleset.meta.in_force
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        ends = force.ends
        if following is not None:
            nxt = following.meta.in_force.starts
            name = f"{ruleset.meta.id} edition {ruleset.meta.edition}"
            other = f"{following.meta.id} edition {following.meta.edition}"
            if nxt == force.starts:
                problems.append(Problem(f"{name} and {other} are both in force from {nxt}",
                                        file=ruleset.source, path="ruleset.in_force.from"))
            elif ends is not None and ends >= nxt:
                problems.append(Problem(f"{name} is in force until {ends}, after {other} "
                                        f"comes into force on {nxt}", file=ruleset.source,
                                        path="ruleset.in_force.until"))
            elif ends is not None and ends < nxt - timedelta(days=1):
                problems.append(Problem(f"no edition is in force from {ends + timedelta(days=1)}"
                                        f" to {nxt - timedelta(days=1)} (between {name} and "
                                        f"{other})", file=ruleset.source,
                                        path="ruleset.in_force.until"))
            ends = nxt - timedelta(days=1) if ends is None else ends
        out.append(Edition(ruleset, force.starts, ends))
    if problems:
        raise InvalidInput("editions", problems)
    return Editions(tuple(out))


def load_editions(paths: Sequence[Path]) -> Editions:
    """The editions in the files given: rulesets, or editions lists (YAML with a top-level
    ``editions:`` list of bundled ruleset ids or files beside the list)."""
    rulesets: list[Ruleset] = []
    for path in paths:
        located = read_located(path)
        data = located.data
        if not (isinstance(data, dict) and "editions" in data):
            rulesets.append(load_ruleset(path))
            continue
        items = data["editions"]
        extra = [k for k in data if k != "editions"]
        if not isinstance(items, list) or not items or extra:
            raise InvalidInput(str(path), located.locate([Problem(
                "an editions list is `editions: [<ruleset id or file>, ...]` and nothing else",
                path=str(extra[0]) if extra else "editions")]))
        for n, item in enumerate(items):
            rulesets.append(edition_ruleset(str(item), path.parent, str(path),
                                            f"editions[{n}]"))
    return editions_of(rulesets)


def edition_ruleset(name: str, folder: Path, where: str = "editions", path: str = "editions"
                    ) -> Ruleset:
    """The ruleset an editions list (or a test-case file) names: a file relative to ``folder``
    (with or without ``.yaml``), else a bundled ruleset id."""
    for candidate in (folder / name, folder / f"{name}.yaml"):
        if candidate.is_file():
            return load_ruleset(candidate)
    bundled = bundled_rulesets()
    if name in bundled:
        return load_ruleset(bundled[name])
    raise InvalidInput(where, [Problem(
        f"unknown edition {name!r}: no ruleset file of that name and no bundled ruleset",
        file=where, path=path, suggestion=suggest(name, set(bundled)))])


# --- judging ----------------------------------------------------------------------------------

def anchor_day(finding: Finding, as_of: date) -> date:
    """The day a finding is about, which decides the edition that judges it: the day its
    obligation started (``start``), else the day of the event (``on``), else the first day of
    its month, else its due date, else the audit's date."""
    for key in ("start", "on"):
        value = finding.facts.get(key)
        if value:
            return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    month = finding.facts.get("month")
    if month:
        return date.fromisoformat(f"{str(month)[:7]}-01")
    return finding.due or as_of


def audit_editions(store: Storage, editions: Editions, as_of: date) -> AuditReport:
    """Audit ``store`` as of ``as_of``, each finding by the edition in force on its day (see
    :func:`anchor_day`); sanctions by the ladders of the edition in force on ``as_of``,
    counting the findings as their own editions judged them. The report's ``ruleset`` is that
    edition; ``editions`` lists every edition that judged something."""
    if len(editions.editions) == 1:
        report = audit(store, editions.latest, as_of)
        return attrs.evolve(report, editions=(report.ruleset,))
    judging = [e for e in editions.editions if e.starts <= as_of] or [editions.editions[0]]
    findings: list[Finding] = []
    register: list[Finding] = []
    for edition in judging:
        report = audit(store, edition.ruleset, as_of)
        findings.extend(f for f in report.findings
                        if editions.edition_on(anchor_day(f, as_of)) is edition)
        register.extend(f for f in report.register
                        if editions.edition_on(anchor_day(f, as_of)) is edition)
    current = editions.on(as_of)
    sanctions = _sanctions(store, current, as_of, [*findings, *register])
    return AuditReport(as_of, current.ref, tuple(findings), tuple(sanctions),
                       register=tuple(register),
                       editions=tuple(e.ruleset.ref for e in judging))


def _sanctions(store: Storage, ruleset: Ruleset, as_of: date, findings: Sequence[Finding]
               ) -> list[Sanction]:
    """The sanctions ``ruleset``'s rules draw from ``findings`` (judged by their editions)."""
    world = read_world(store, as_of, Calendar(ruleset.calendar))
    verdicts = Verdicts(engine_for(ruleset.content_hash, ruleset.rules), ruleset.ref,
                        ruleset.names())
    return [s for rule in ruleset.rules for s in rule.sanctions(verdicts, world, findings)]


class EditionsPolicyGuard(PolicyGuard):
    """The core policy of the edition in force on the command's day."""

    def __init__(self, editions: Editions) -> None:
        super().__init__(editions.latest.policy, editions.latest.ref)
        self._by_edition = {id(e): PolicyGuard(e.ruleset.policy, e.ruleset.ref)
                            for e in editions.editions}
        self._editions = editions

    def check(self, context: GuardContext) -> list[Refusal]:
        return self._by_edition[id(self._editions.edition_on(context.on))].check(context)


class EditionsRulesGuard:
    """The rules engine's guard of the edition in force on the command's day."""

    def __init__(self, editions: Editions) -> None:
        self._by_edition = {id(e): RulesGuard(e.ruleset) for e in editions.editions}
        self._editions = editions

    def check(self, context: GuardContext) -> list[Refusal]:
        return self._by_edition[id(self._editions.edition_on(context.on))].check(context)


def gradebook_for_editions(store: Storage, editions: Editions, *, clock: Clock | None = None
                           ) -> Gradebook:
    """A gradebook guarded, on each day, by the edition in force that day (its core policy and
    rules); each refusal names that edition. Journal states are kept by the latest edition's
    lifecycle."""
    if len(editions.editions) == 1:
        return Gradebook.for_ruleset(store, editions.latest, clock=clock)
    return Gradebook(store, editions.latest.policy, clock=clock,
                     guards=[EditionsRulesGuard(editions)],
                     policy_guard=EditionsPolicyGuard(editions))


def edition_names(rulesets: Iterable[Ruleset]) -> str:
    return ", ".join(f"{r.meta.id} edition {r.meta.edition} from {r.meta.in_force.starts}"
                     for r in rulesets)
