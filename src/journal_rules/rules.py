"""The policy author's tools: the rule kinds a ruleset may use, its calendar section, its JSON
schema, its test cases (``run_ruleset_tests``) and the SOP clauses it covers."""

from ._rules._api import (
    RULE_KINDS,
    CalendarSpec,
    CaseResult,
    ClauseCoverage,
    ruleset_coverage,
    ruleset_json_schema,
    ruleset_test_summary,
    run_ruleset_tests,
)

__all__ = [
    "RULE_KINDS",
    "CalendarSpec",
    "CaseResult",
    "ClauseCoverage",
    "ruleset_coverage",
    "ruleset_json_schema",
    "ruleset_test_summary",
    "run_ruleset_tests",
]
