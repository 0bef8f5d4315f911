"""The ``condition`` rule kind: an obligation the built-in kinds do not foresee, written as
patterns over the fact catalogue and decided by the engine (see docs/policy-authors.md).

Its facts are not posted through ``journal_facts``: the patterns join facts of one journal in an
engine of their own (``_engine.JoinRules``), which the audit asks once per journal for every
condition rule of the ruleset (``conditions._run.condition_findings``)."""

from __future__ import annotations

import threading
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._errors import Problem
from journal_rules._rules.conditions._compile import Compiled, compile_condition
from journal_rules._rules.kinds._base import RuleBase, RuleContext

_cache: dict[tuple[Any, ...], Compiled | list[Problem]] = {}
_cache_lock = threading.Lock()


@attrs.frozen(kw_only=True)
class ConditionRule(RuleBase):
    """A finding for every frame of facts ``match`` finds: each entry binds an alias to a fact
    of the catalogue (``alias: fact [same k, .. as other] [where condition]``, ``at least N``
    facts for a count) or says none such exists (``none: fact where ...``, judged over what was
    recorded by the as-of date). ``subject``: the alias the finding is about (default: the last
    one bound); its journal, control, actor and day make the finding's."""

    kind_name: ClassVar[str] = "condition"
    kind: Literal["condition"] = "condition"
    match: tuple[dict[str, str], ...]
    subject: str | None = None

    def compiled(self) -> Compiled | list[Problem]:
        """The engine's patterns, or what is wrong with the rule (paths relative to it)."""
        key = (tuple(tuple(sorted(m.items())) for m in self.match), self.subject)
        with _cache_lock:
            found = _cache.get(key)
        if found is None:
            found = compile_condition(self.match, self.subject)
            with _cache_lock:
                _cache[key] = found
        return found

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {}  # decided by the engine's joins (``_engine.JoinRules``), not per fact

    def fields(self) -> frozenset[str] | None:
        compiled = self.compiled()
        if not isinstance(compiled, Compiled):
            return None
        out = {"journal", "control", "key", "count"}
        for alias, b in compiled.bindings.items():
            out.update(f"{alias}_{name}" for name in b.fact.fields)
        return frozenset(out)

    def problems(self, context: RuleContext) -> list[Problem]:
        compiled = self.compiled()
        return [] if isinstance(compiled, Compiled) else list(compiled)
