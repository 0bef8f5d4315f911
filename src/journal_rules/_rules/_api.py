"""The public entry points of the rules engine (re-exported by :mod:`journal_rules`)."""

from __future__ import annotations

from ._audit import audit
from ._calendar import CalendarSpec
from ._cases import CaseResult, bundled_cases, keyword_matcher, run_path, summary
from ._coverage import ClauseCoverage, CoverageReport, RuleCoverage, coverage, coverage_report
from ._decide import decide, local_day, moment, parse_command
from ._editions import (
    Edition,
    Editions,
    anchor_day,
    audit_editions,
    editions_of,
    gradebook_for_editions,
    load_editions,
)
from ._engine import RulesEngineError
from ._format import Formatted, format_file, format_text
from ._guard import RulesGuard
from ._lint import LintedFile, LintProblem, as_json, as_sarif, lint_files, yaml_files
from ._schema import json_schema
from .conditions._catalogue import CATALOGUE, FactType
from .kinds import RULE_KINDS

ruleset_json_schema = json_schema
run_ruleset_tests = run_path
ruleset_test_summary = summary
ruleset_coverage = coverage
ruleset_coverage_report = coverage_report
format_ruleset = format_file
format_ruleset_text = format_text
lint_rulesets = lint_files
lint_as_json = as_json
lint_as_sarif = as_sarif
ruleset_files = yaml_files
parse_case_command = parse_command
decision_moment = moment
decision_day = local_day
bundled_test_cases = bundled_cases
case_keyword_matcher = keyword_matcher
finding_anchor_day = anchor_day


def fact_catalogue() -> dict[str, FactType]:
    """The facts a ``condition`` rule may match, by name, with their fields and types."""
    return dict(CATALOGUE)


__all__ = [
    "RULE_KINDS",
    "CalendarSpec",
    "CaseResult",
    "ClauseCoverage",
    "CoverageReport",
    "Edition",
    "Editions",
    "FactType",
    "Formatted",
    "LintProblem",
    "LintedFile",
    "RuleCoverage",
    "RulesEngineError",
    "RulesGuard",
    "audit",
    "audit_editions",
    "bundled_test_cases",
    "case_keyword_matcher",
    "decide",
    "decision_day",
    "decision_moment",
    "editions_of",
    "fact_catalogue",
    "finding_anchor_day",
    "format_ruleset",
    "format_ruleset_text",
    "gradebook_for_editions",
    "lint_as_json",
    "lint_as_sarif",
    "lint_rulesets",
    "load_editions",
    "parse_case_command",
    "ruleset_coverage",
    "ruleset_coverage_report",
    "ruleset_files",
    "ruleset_json_schema",
    "ruleset_test_summary",
    "run_ruleset_tests",
]
