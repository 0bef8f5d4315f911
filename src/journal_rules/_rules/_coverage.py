"""The coverage table: SOP clause -> rules (core policy sections and engine rules) -> test cases;
and per rule, the cases that expect it and the cases in which it fired."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from journal_rules._decision import RulesetRef
from journal_rules._ruleset import Ruleset

from ._cases import CaseResult, rule_clauses


@attrs.frozen
class ClauseCoverage:
    clause: str
    behavioural: bool
    rules: tuple[str, ...]
    cases: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.rules) and bool(self.cases)


@attrs.frozen
class RuleCoverage:
    """One rule (or core policy section): its clauses, the cases whose expectations name it and
    the cases in which it produced a finding, a register entry, a sanction or a refusal."""

    rule: str
    clauses: tuple[str, ...]
    expected_in: tuple[str, ...]
    fired_in: tuple[str, ...]

    @property
    def fired(self) -> bool:
        return bool(self.fired_in)


@attrs.frozen
class CoverageReport:
    """How well a set of cases, run under one ruleset, covers that ruleset."""

    ruleset: RulesetRef
    clauses: tuple[ClauseCoverage, ...]
    rules: tuple[RuleCoverage, ...]
    cases: int
    failed: int

    @property
    def behavioural(self) -> tuple[ClauseCoverage, ...]:
        return tuple(c for c in self.clauses if c.behavioural)

    @property
    def percent(self) -> float:
        """The share of behavioural clauses covered (a rule and a case), in percent."""
        total = self.behavioural
        return 100.0 if not total else 100.0 * sum(c.covered for c in total) / len(total)

    @property
    def never_fired(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.rules if not r.fired)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ruleset": attrs.asdict(self.ruleset),
            "cases": self.cases, "failed": self.failed,
            "percent": round(self.percent, 2),
            "behavioural": {"covered": sum(c.covered for c in self.behavioural),
                            "total": len(self.behavioural)},
            "uncovered": [c.clause for c in self.behavioural if not c.covered],
            "never_fired": list(self.never_fired),
            "clauses": [{"clause": c.clause, "behavioural": c.behavioural, "covered": c.covered,
                         "rules": list(c.rules), "cases": list(c.cases)} for c in self.clauses],
            "rules": [{"rule": r.rule, "clauses": list(r.clauses), "fired": r.fired,
                       "expected_in": list(r.expected_in), "fired_in": list(r.fired_in)}
                      for r in self.rules],
        }


def coverage(ruleset: Ruleset, results: Sequence[CaseResult]) -> list[ClauseCoverage]:
    by_rule = rule_clauses(ruleset)
    cases_of: dict[str, list[str]] = {}
    for result in results:
        if not result.passed:
            continue  # a case that fails under this ruleset covers nothing of it
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


def coverage_report(ruleset: Ruleset, results: Sequence[CaseResult]) -> CoverageReport:
    """The clause table and, per rule, where it was expected and where it fired. Run the cases
    under ``ruleset`` (``run_ruleset_tests(path, ruleset=...)``) to measure that ruleset."""
    rules = tuple(
        RuleCoverage(rule, clauses,
                     tuple(sorted({r.name for r in results if r.passed and rule in r.covers})),
                     tuple(sorted({r.name for r in results if rule in r.fired})))
        for rule, clauses in rule_clauses(ruleset).items())
    return CoverageReport(ruleset.ref, tuple(coverage(ruleset, results)), rules, len(results),
                          sum(not r.passed for r in results))


def _clause_key(clause: str) -> tuple[int, str, int]:
    order = {"T": 0, "S": 1, "P": 2, "R": 3, "F": 4}
    digits = "".join(ch for ch in clause if ch.isdigit())
    return (order.get(clause[:1], 9), clause if not digits else clause[:1],
            int(digits) if digits else 0)
