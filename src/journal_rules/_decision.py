"""Decisions and refusals, and the messages, names and ruleset references every explanation
(a refusal, a finding) is made of: each explains itself in ru, kk and en."""

from __future__ import annotations

from collections.abc import Mapping
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
            "facts": {k: plain(v) for k, v in self.facts.items()},
            "messages": {lang: self.message(lang) for lang in LANGUAGES},
            "ruleset": None if self.ruleset is None else attrs.asdict(self.ruleset),
        }


def plain(value: Any) -> Any:
    """A fact as JSON holds it: lists for collections, text for what is neither."""
    if isinstance(value, list | tuple | frozenset | set):
        return [plain(v) for v in value]
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
