"""The audit's data model: what an audit reports (findings, register entries, sanctions), each
explaining itself in ru, kk and en, with the ruleset that judged.

Built by the audit (``journal_rules._rules._audit``: findings; a ladder kind: sanctions); read by
the command line, the exports and the case runner. Nothing here knows how facts are measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import attrs

from ._decision import LANGUAGES, Language, Messages, Names, RulesetRef, plain

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
            "facts": {k: plain(v) for k, v in self.facts.items()},
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
            "facts": {k: plain(v) for k, v in self.facts.items()},
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
    # The editions that judged it (each finding names its own): one, unless the store was
    # judged under several editions with effective dates.
    editions: tuple[RulesetRef, ...] = ()

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
            "editions": [attrs.asdict(e) for e in self.editions or (self.ruleset,)],
            "findings": [f.as_dict() for f in self.findings],
            "register": [f.as_dict() for f in self.register],
            "sanctions": [s.as_dict() for s in self.sanctions],
        }
