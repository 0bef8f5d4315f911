"""The public entry points of the rules engine (re-exported by :mod:`journal_rules`)."""

from __future__ import annotations

from ._audit import audit
from ._calendar import CalendarSpec
from ._cases import CaseResult, run_path, summary
from ._coverage import ClauseCoverage, coverage
from ._engine import RulesEngineError
from ._guard import RulesGuard
from ._schema import json_schema
from .kinds import RULE_KINDS

ruleset_json_schema = json_schema
run_ruleset_tests = run_path
ruleset_test_summary = summary
ruleset_coverage = coverage

__all__ = [
    "RULE_KINDS",
    "CalendarSpec",
    "CaseResult",
    "ClauseCoverage",
    "RulesEngineError",
    "RulesGuard",
    "audit",
    "ruleset_coverage",
    "ruleset_json_schema",
    "ruleset_test_summary",
    "run_ruleset_tests",
]
