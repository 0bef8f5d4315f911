"""The coverage table: SOP clause -> rules (core policy sections and engine rules) -> test cases."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from journal_rules._ruleset import Ruleset

from ._cases import CaseResult


@attrs.frozen
class ClauseCoverage:
    clause: str
    behavioural: bool
    rules: tuple[str, ...]
    cases: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.rules) and bool(self.cases)


def rule_clauses(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """Every rule id of the ruleset (policy sections included) with its clauses."""
    policy = ruleset.policy
    out: dict[str, tuple[str, ...]] = {p.id: p.clauses for p in policy.permissions}
    for part in (policy.lifecycle, policy.visas, policy.marks, policy.reasons):
        out[part.id] = part.clauses
    out["unknown-actor"] = ("T18",)
    out[policy.future_marks.id] = policy.future_marks.clauses
    for rule in ruleset.rules:
        out[rule.id] = rule.clauses
    return out


def coverage(ruleset: Ruleset, results: Sequence[CaseResult]) -> list[ClauseCoverage]:
    by_rule = rule_clauses(ruleset)
    cases_of: dict[str, list[str]] = {}
    for result in results:
        for rule_id in result.covers:
            cases_of.setdefault(rule_id, []).append(result.name)
    clauses = sorted({c for cs in by_rule.values() for c in cs}
                     | set(ruleset.meta.behavioural_clauses), key=_clause_key)
    behavioural = set(ruleset.meta.behavioural_clauses)
    out: list[ClauseCoverage] = []
    for clause in clauses:
        rules = tuple(r for r, cs in by_rule.items() if clause in cs)
        cases = tuple(sorted({c for r in rules for c in cases_of.get(r, [])}))
        out.append(ClauseCoverage(clause, clause in behavioural, rules, cases))
    return out


def _clause_key(clause: str) -> tuple[int, str, int]:
    order = {"T": 0, "S": 1, "P": 2, "R": 3, "F": 4}
    digits = "".join(ch for ch in clause if ch.isdigit())
    return (order.get(clause[:1], 9), clause if not digits else clause[:1],
            int(digits) if digits else 0)
