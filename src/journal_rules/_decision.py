"""Decisions, refusals and findings: every one explains itself in ru, kk and en."""

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

    def render(self, lang: Language, facts: Mapping[str, Any]) -> str:
        return self.get(lang).format_map(_Facts({k: _show(v) for k, v in facts.items()}))


def _show(value: Any) -> Any:
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value)
    return value


@attrs.frozen
class RulesetRef:
    """Which ruleset made a decision: id, edition and the hash of its content."""

    id: str
    edition: str
    content_hash: str


@attrs.frozen
class Refusal:
    """Why a command may not be done: the rule, the SOP clauses, the facts and the messages."""

    rule_id: str
    clauses: tuple[str, ...]
    facts: Mapping[str, Any]
    messages: Messages
    ruleset: RulesetRef | None = None

    def message(self, lang: Language = "en") -> str:
        return self.messages.render(lang, self.facts)

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
