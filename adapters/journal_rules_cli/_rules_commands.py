"""``journal-rules rules ...`` and ``journal-rules audit``: the policy author's tools."""

from __future__ import annotations

import difflib
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

import journal_rules as jr
from journal_rules.events import journal_stream
from journal_rules.model import Language, RulesetRef
from journal_rules.rules import (
    ruleset_coverage,
    ruleset_json_schema,
    ruleset_test_summary,
    run_ruleset_tests,
)
from journal_rules.storage import DEFAULT_STORE_URL

from ._labels import kind, label, language
from ._options import (
    DATE_HELP,
    LangOption,
    RulesetOption,
    StoreOption,
    load_ruleset,
    new_app,
    opened,
    parse_date_param,
)
from ._progress import progress_bar

rules_app = new_app("Policy author's tools: lint, test, explain, coverage, schema.")

DEFAULT_TESTS = Path("rulesets/tests")


def _rule_ids(ruleset: jr.Ruleset) -> set[str]:
    """Every id a finding or a refusal can carry: the rules and the core policy's sections."""
    policy = ruleset.policy
    return ({r.id for r in ruleset.rules} | {p.id for p in policy.permissions}
            | {policy.lifecycle.id, policy.visas.id, policy.marks.id, policy.reasons.id,
               "unknown-actor"})


def _nearest(name: str, choices: set[str]) -> str | None:
    found = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


@rules_app.command("lint")
def lint(file: Annotated[Path, typer.Argument(
    metavar="FILE", help="The ruleset file to check.")]) -> None:
    """Check a ruleset; print every problem as file:line and exit 1 if there are any."""
    try:
        ruleset = jr.load_ruleset(file)
    except jr.InvalidInput as exc:
        for problem in exc.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(exc.problems)} problem(s)")
        raise typer.Exit(1) from None
    typer.echo(f"{file}: ok ({ruleset.meta.id}, edition {ruleset.meta.edition}, "
               f"{len(ruleset.rules)} rules, sha256 {ruleset.content_hash[:12]})")


@rules_app.command("test")
def run_tests(path: Annotated[Path, typer.Argument(
    metavar="PATH", help="A test-case file or a folder of them.")]
         = DEFAULT_TESTS,
         verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Run ruleset test cases; print each failure and `N passed, N failed`; exit 1 on failure."""
    results = run_ruleset_tests(path)
    for r in results:
        if not r.passed:
            typer.echo(f"FAIL {r.file}: {r.name}")
            for failure in r.failures:
                typer.echo(f"    {failure}")
        elif verbose:
            typer.echo(f"ok   {r.file}: {r.name}")
    typer.echo(ruleset_test_summary(results))
    if any(not r.passed for r in results):
        raise typer.Exit(1)


@rules_app.command("coverage")
def coverage(ruleset: RulesetOption = None,
             tests: Annotated[Path, typer.Option(
                 "--tests", metavar="FOLDER", help="Test cases folder.")]
             = DEFAULT_TESTS, lang: LangOption = None) -> None:
    """SOP clause -> rules -> test cases; exit 1 if a behavioural clause has no rule or test."""
    loaded = load_ruleset(ruleset)
    lg = language(lang, loaded)
    results = run_ruleset_tests(tests)
    rows = ruleset_coverage(loaded, results)
    uncovered = [row for row in rows if row.behavioural and not row.covered]
    for row in rows:
        mark = label("covered", lg) if row.covered else (label("missing", lg)
                                                          if row.behavioural else "-")
        typer.echo(f"{mark:8}{row.clause:14}{label('rules', lg)}: {', '.join(row.rules) or '-'}")
        typer.echo(f"{'':22}{label('cases', lg)}: {len(row.cases)}"
                   + (f" ({'; '.join(row.cases[:2])}{' ...' if len(row.cases) > 2 else ''})"
                      if row.cases else ""))
    behavioural = [row for row in rows if row.behavioural]
    typer.echo(label("clauses_covered", lg, covered=len(behavioural) - len(uncovered),
                     total=len(behavioural)))
    if uncovered:
        typer.echo(f"{label('uncovered', lg)}: " + ", ".join(row.clause for row in uncovered))
        raise typer.Exit(1)


@rules_app.command("parameters")
def parameters(ruleset: RulesetOption = None, lang: LangOption = None) -> None:
    """The ruleset's named parameters: value, SOP clauses and documentation."""
    loaded = load_ruleset(ruleset)
    lg = language(lang, loaded)
    for name, param in loaded.parameters.items():
        typer.echo(f"{name} = {json.dumps(_plain(param.value), ensure_ascii=False)} "
                   f"({label('clauses', lg)}: {', '.join(param.clauses) or '-'})")
        typer.echo(f"  {param.doc_in(lg)}")


@rules_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the ruleset format."""
    typer.echo(json.dumps(ruleset_json_schema(), ensure_ascii=False, indent=2))


@rules_app.command("explain")
def explain(
    *,
    store: StoreOption = DEFAULT_STORE_URL,
    as_of: Annotated[date | None, typer.Option(
        "--as-of", metavar="DATE", parser=parse_date_param,
        help=f"The audit's date {DATE_HELP}.")] = None,
    case: Annotated[Path | None, typer.Option(
        "--case", metavar="FILE", help="Explain a test-case file.")]
    = None,
    rule: Annotated[str | None, typer.Option(
        "--rule", metavar="RULE", help="Only this rule id.")] = None,
    journal: Annotated[str | None, typer.Option(
        "--journal", metavar="JOURNAL", help="Only this journal.")] = None,
    ruleset: RulesetOption = None,
    lang: LangOption = None,
) -> None:
    """Why a finding or a refusal happened: rule, clauses, facts, the rule's settings and the
    documentation of the parameters the ruleset has for the rule's clauses.

    An unknown --rule (not in the ruleset) or --journal (not in the store) is an error, not an
    empty answer."""
    loaded = load_ruleset(ruleset)
    if rule is not None and rule not in _rule_ids(loaded):
        raise jr.UnknownEntity(f"rule of {loaded.meta.id}", rule,
                               _nearest(rule, _rule_ids(loaded)))
    if case is not None:
        lg = language(lang, loaded)
        for result in run_ruleset_tests(case):
            typer.echo(f"== {label('case', lg)}: {result.name}")
            for refusal in result.refusals:
                if rule in (None, refusal.rule_id):
                    _explain_refusal(refusal, lg)
            if result.report is not None:
                _explain_report(result.report, None, rule, journal, lg)
        return
    if as_of is None:
        raise jr.InvalidInput("explain", [jr.Problem(
            "give --as-of (to explain an audit of --store) or --case")])
    report = _audit(store, loaded, as_of, journal=journal)
    _explain_report(report, loaded, rule, journal, language(lang, loaded))


_PHASES = {"read": "reading journals", "judge": "judging journals"}


def _audit(url: str, ruleset: jr.Ruleset, as_of: date, *,
           verify: bool = True, journal: str | None = None, bar: bool = False
           ) -> jr.AuditReport:
    """The audit of the store at ``url`` (None: the default store), closed afterwards; an
    edited store is refused first unless ``verify`` is False; with ``journal``, that journal
    must be in the store."""
    with opened(url, verify=verify) as store:
        if journal is not None and next(store.read(journal_stream(journal)), None) is None:
            prefix = journal_stream("")
            known = {i.name[len(prefix):] for i in store.streams() if i.name.startswith(prefix)}
            raise jr.UnknownEntity("journal", journal, _nearest(journal, known))
        # The command's process does nothing else: pause the collector for its audit.
        with progress_bar("journals", quiet=not bar) as progress:
            return jr.audit(store, ruleset, as_of, pause_gc=True,
                            progress=lambda phase, done, total: progress(
                                _PHASES.get(phase, phase), done, total))


def _ref(ref: RulesetRef, lang: Language) -> str:
    return label("ruleset_edition", lang, ruleset=ref.id, edition=ref.edition,
                 hash=ref.content_hash[:12])


def _explain_refusal(refusal: jr.Refusal, lang: Language) -> None:
    typer.echo(f"{label('refused_by', lang)} [{refusal.rule_id}] ({', '.join(refusal.clauses)})")
    typer.echo(f"  {refusal.message(lang)}")
    typer.echo(f"  {label('facts', lang)}: "
               f"{json.dumps(refusal.as_dict()['facts'], ensure_ascii=False)}")
    if refusal.ruleset is not None:
        typer.echo(f"  {_ref(refusal.ruleset, lang)}")


def _explain_report(report: jr.AuditReport, ruleset: jr.Ruleset | None, rule: str | None,
                    journal: str | None, lang: Language) -> None:
    for f in (*report.findings, *report.register):
        if rule not in (None, f.rule_id) or journal not in (None, f.journal):
            continue
        typer.echo(f"[{f.rule_id}] ({', '.join(f.clauses)}) {kind(f.kind, lang)}, "
                   f"{kind(f.severity, lang)}: {kind(f.subject_kind, lang)} {f.subject}")
        typer.echo(f"  {f.message(lang)}")
        typer.echo(f"  {label('facts', lang)}: "
                   f"{json.dumps(f.as_dict()['facts'], ensure_ascii=False)}")
        typer.echo(f"  {label('responsible', lang)}: {', '.join(f.responsible) or '-'} "
                   f"({label('roles', lang)}: {_roles(f.responsible_roles, ruleset, lang)}); "
                   f"{label('due', lang)}: {f.due or '-'}")
        if ruleset is not None:
            settings = ruleset.rule(f.rule_id).parameters()
            typer.echo(f"  {label('rule', lang)}: "
                       f"{json.dumps(_plain(settings), ensure_ascii=False)}")
            for name, param in ruleset.parameters.items():
                if set(param.clauses) & set(f.clauses):
                    typer.echo(f"  {label('parameter', lang)} {name} = "
                               f"{json.dumps(_plain(param.value), ensure_ascii=False)}: "
                               f"{param.doc_in(lang)}")
        typer.echo(f"  {_ref(report.ruleset, lang)}")
    for s in report.sanctions:
        if rule not in (None, s.rule_id):
            continue
        what = label("sanction_for", lang, sanction=s.sanction_names.get(lang),
                     against=label(s.against, lang), subject=s.subject)
        typer.echo(f"[{s.rule_id}] ({', '.join(s.clauses)}) {what}: {s.message(lang)}")
        typer.echo(f"  {label('counted', lang)} ({s.count}): {', '.join(s.counted)}")


def _roles(roles: tuple[str, ...], ruleset: jr.Ruleset | None, lang: Language) -> str:
    if not roles:
        return "-"
    if ruleset is None:
        return ", ".join(roles)
    names = ruleset.names()
    return ", ".join(str(names.name(lang, "roles", r)) for r in roles)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


