"""Decisions, refusals and findings: every one explains itself in ru, kk and en."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import attrs

Language = Literal["ru", "kk", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "kk", "en")


class _Facts(dict[str, Any]):
    """Formatting facts: a placeholder a message names but the facts lack shows as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@attrs.frozen
class Messages:
    """One message in Russian, Kazakh and English, with ``{fact}`` placeholders."""

    ru: str
    kk: str
    en: str

    def get(self, lang: Language) -> str:
        text: str = getattr(self, lang)
        return text

    def render(self, lang: Language, facts: Mapping[str, Any], names: Names | None = None) -> str:
        """The message in ``lang``; with ``names``, ids in the facts (roles, actions, states)
        read as the ruleset names them and a rule's phrases word its facts (a missing date)."""
        if names is None:
            shown = {k: _show(v) for k, v in facts.items()}
        else:
            shown = {k: names.show(lang, k, v, facts) for k, v in facts.items()}
        text = self.get(lang)
        try:
            return text.format_map(_Facts(shown))
        except (LookupError, ValueError, AttributeError, TypeError):
            # Rulesets are checked at load (see _templates); messages built in Python are not,
            # and a bad placeholder must not crash an audit: show the template as written.
            return text


@attrs.frozen
class Phrase:
    """How a rule words one fact: ``absent`` when it has no value (a date that never came:
    «не закрыт»), ``present`` (with the fact's own ``{placeholder}``) when it has one."""

    absent: Messages
    present: Messages | None = None


# Which facts hold which kind of id (mechanism: the names themselves are the ruleset's).
FACT_NAME_TABLES: Mapping[str, str] = {
    "action": "actions", "actions": "actions",
    "role": "roles", "roles": "roles", "actor_roles": "roles", "required": "roles",
    "given": "roles", "missing": "roles", "responsible_roles": "roles",
    "out_of_order": "roles", "roles_gained": "roles",
    "state": "states", "allowed_in": "states",
}


@attrs.frozen
class Names:
    """What the ids in facts are called in each language, from the ruleset (``roles``,
    ``actions``, lifecycle ``states``), and a rule's ``phrases`` for its facts."""

    roles: Mapping[str, Messages] = attrs.field(factory=dict)
    actions: Mapping[str, Messages] = attrs.field(factory=dict)
    states: Mapping[str, Messages] = attrs.field(factory=dict)
    phrases: Mapping[str, Phrase] = attrs.field(factory=dict)

    def with_phrases(self, phrases: Mapping[str, Phrase]) -> Names:
        return self if not phrases else attrs.evolve(self, phrases=phrases)

    def name(self, lang: Language, table: str, value: Any) -> Any:
        """``value`` (an id of ``table``: roles, actions or states) as the ruleset calls it."""
        known: Mapping[str, Messages] = getattr(self, table)
        if isinstance(value, str) and value in known:
            return known[value].get(lang)
        return value

    def show(self, lang: Language, key: str, value: Any, facts: Mapping[str, Any]) -> Any:
        phrase = self.phrases.get(key)
        if phrase is not None:
            if value is None or (isinstance(value, list | tuple) and not value):
                return phrase.absent.get(lang)
            if phrase.present is not None:
                plain = attrs.evolve(self, phrases={})
                return phrase.present.render(lang, facts, plain)
        table = FACT_NAME_TABLES.get(key)
        if table is not None:
            if isinstance(value, list | tuple | frozenset | set):
                value = [self.name(lang, table, v) for v in value]
            else:
                value = self.name(lang, table, value)
        return _show(value)


def _show(value: Any) -> Any:
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value) or "—"
    if value is None:
        return "—"
    return value


@attrs.frozen
class RulesetRef:
    """Which ruleset made a decision: id, edition and the hash of its content."""

    id: str
    edition: str
    content_hash: str


@attrs.frozen
class Refusal:
    """Why a command may not be done: the rule, the SOP clauses, the facts and the messages.

    ``supersedes`` names refusals this one says more fully (a reopening refused for its missing
    note, visas and review makes the lifecycle's "not in state reviewed" redundant): the
    gradebook leaves those out, so that each thing missing is said once."""

    rule_id: str
    clauses: tuple[str, ...]
    facts: Mapping[str, Any]
    messages: Messages
    ruleset: RulesetRef | None = None
    supersedes: tuple[str, ...] = ()
    names: Names | None = attrs.field(default=None, eq=False, repr=False)

    def message(self, lang: Language = "en") -> str:
        return self.messages.render(lang, self.facts, self.names)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "clauses": list(self.clauses),
            "facts": {k: _plain(v) for k, v in self.facts.items()},
            "messages": {lang: self.message(lang) for lang in LANGUAGES},
            "ruleset": None if self.ruleset is None else attrs.asdict(self.ruleset),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


@attrs.frozen
class Decision:
    """The guard's answer: allowed, or refused with every reason at once."""

    command: str
    refusals: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refusals

    def __bool__(self) -> bool:
        return self.allowed


FindingKind = Literal["violation", "pending", "register"]


@attrs.frozen
class Finding:
    """What the audit found: a broken obligation (``violation``), one still due (``pending``),
    or an entry of a register the SOP keeps (``register``: a reopening, T16, which is no
    violation by itself but counts toward the sanctions ladders, T20).

    It names the rule and SOP clauses, what it is about (``subject`` of ``subject_kind``: a
    journal, person, department, term, unit, year or month, plus the journal, control, department
    and person where they apply), who answers for it (``responsible`` people, with their roles),
    the ``due`` date, the ``facts`` the rule matched, and messages in ru / kk / en.
    """

    rule_id: str
    clauses: tuple[str, ...]
    kind: FindingKind
    severity: str
    subject_kind: str
    subject: str
    facts: Mapping[str, Any]
    messages: Messages
    responsible: tuple[str, ...] = ()
    responsible_roles: tuple[str, ...] = ()
    due: date | None = None
    journal: str | None = None
    control: str | None = None
    department: str | None = None
    person: str | None = None
    ruleset: RulesetRef | None = None
    names: Names | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def id(self) -> str:
        """A stable id: rule, subject and the control or date it concerns."""
        parts = [self.rule_id, self.subject, self.control or "", str(self.facts.get("key", ""))]
        return "|".join(parts)

    def message(self, lang: Language = "en") -> str:
        return self.messages.render(lang, self.facts, self.names)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "clauses": list(self.clauses),
            "kind": self.kind,
            "severity": self.severity,
            "subject_kind": self.subject_kind,
            "subject": self.subject,
            "journal": self.journal,
            "control": self.control,
            "department": self.department,
            "person": self.person,
            "responsible": list(self.responsible),
            "responsible_roles": list(self.responsible_roles),
            "due": None if self.due is None else self.due.isoformat(),
            "facts": {k: _plain(v) for k, v in self.facts.items()},
            "messages": {lang: self.message(lang) for lang in LANGUAGES},
            "ruleset": None if self.ruleset is None else attrs.asdict(self.ruleset),
        }


@attrs.frozen
class Sanction:
    """A step of a sanctions ladder reached by a teacher or a department (S-teacher,
    S-department): the count, the items counted, the sanction and why."""

    rule_id: str
    clauses: tuple[str, ...]
    against: str
    subject: str
    count: int
    sanction: str
    sanction_names: Messages
    messages: Messages
    facts: Mapping[str, Any]
    counted: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    ruleset: RulesetRef | None = None
    names: Names | None = attrs.field(default=None, eq=False, repr=False)

    def message(self, lang: Language = "en") -> str:
        text = self.messages.render(lang, self.facts, self.names)
        return f"{text} → {self.sanction_names.get(lang)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "clauses": list(self.clauses),
            "against": self.against,
            "subject": self.subject,
            "count": self.count,
            "sanction": self.sanction,
            "counted": list(self.counted),
            "responsible": list(self.responsible),
            "facts": {k: _plain(v) for k, v in self.facts.items()},
            "messages": {lang: self.message(lang) for lang in LANGUAGES},
            "ruleset": None if self.ruleset is None else attrs.asdict(self.ruleset),
        }


@attrs.frozen
class AuditReport:
    """An audit of a store as of a date under one ruleset: findings (violations and pending
    obligations), register entries and sanctions, in a fixed order, with the ruleset's id,
    edition and content hash."""

    as_of: date
    ruleset: RulesetRef
    findings: tuple[Finding, ...]
    sanctions: tuple[Sanction, ...]
    stats: Mapping[str, int] = attrs.field(factory=dict, eq=False)
    # Register entries (kind ``register``, e.g. each reopening, T16): kept apart from the
    # findings, since a legitimate, approved reopening is not a violation; the ladders still
    # count them (T20).
    register: tuple[Finding, ...] = ()

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "violation")

    @property
    def pending(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == "pending")

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "ruleset": attrs.asdict(self.ruleset),
            "findings": [f.as_dict() for f in self.findings],
            "register": [f.as_dict() for f in self.register],
            "sanctions": [s.as_dict() for s in self.sanctions],
        }
