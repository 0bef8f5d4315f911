"""``journal-rules rules ...`` and ``journal-rules audit``: the policy author's tools."""

from __future__ import annotations

import difflib
import enum
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from xml.etree import ElementTree

import attrs
import typer

import journal_rules as jr
from journal_rules.testing import load_world, play_world

from ._labels import kind, label, language
from ._options import (
    DATE_HELP,
    FormatOption,
    Lang,
    LangOption,
    NoVerifyOption,
    RulesetOption,
    StoreOption,
    TextOrJson,
    load_ruleset,
    new_app,
    opened,
    parse_date_param,
    print_error,
)
from ._progress import progress_bar

rules_app = new_app("Policy author's tools: lint, fmt, test, coverage, decide, explain, "
                    "parameters, schema, facts.")

EditionsOption = Annotated[list[Path] | None, typer.Option(
    "--ruleset", metavar="FILE",
    help="A ruleset file, or an editions list (editions: [...]); repeat it to judge each day "
    "by the edition in force (default: the bundled KazNMU SOP ruleset).")]


def _rule_ids(ruleset: jr.Ruleset) -> set[str]:
    """Every id a finding or a refusal can carry: the rules and the core policy's sections."""
    policy = ruleset.policy
    return ({r.id for r in ruleset.rules} | {p.id for p in policy.permissions}
            | {policy.lifecycle.id, policy.visas.id, policy.marks.id, policy.reasons.id,
               "unknown-actor"})


def _nearest(name: str, choices: set[str]) -> str | None:
    found = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


class LintFormat(enum.StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class TestFormat(enum.StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@rules_app.command("lint")
def lint(paths: Annotated[list[Path], typer.Argument(
             metavar="PATH...",
             help="Ruleset, editions or test-case files, and folders to search for them.")],
         output: Annotated[LintFormat, typer.Option("--format", help="text, json or sarif")]
         = LintFormat.text) -> None:
    """Check rulesets and test-case files; print every problem with file, line, column, code
    and the nearest valid name; exit 1 if there are any."""
    files = jr.rules.lint_rulesets(paths)
    if output is LintFormat.json:
        _echo_json(jr.rules.lint_as_json(files))
    elif output is LintFormat.sarif:
        _echo_json(jr.rules.lint_as_sarif(files))
    else:
        for f in files:
            if f.ok:
                typer.echo(f"{f.file}: ok ({f.summary})")
            for problem in f.problems:
                typer.echo(str(problem))
        count = sum(len(f.problems) for f in files)
        typer.echo(f"{len(files)} file(s) checked, {count} problem(s)")
    if not files or any(not f.ok for f in files):
        raise typer.Exit(1)


@rules_app.command("fmt")
def fmt(paths: Annotated[list[Path], typer.Argument(
            metavar="PATH...", help="Ruleset files, and folders to search for them.")],
        check: Annotated[bool, typer.Option(
            "--check", help="Change nothing; exit 1 if a file is not in canonical form.")]
        = False,
        diff: Annotated[bool, typer.Option("--diff", help="Print what would change.")]
        = False) -> None:
    """Rewrite rulesets in canonical form (key order, indentation, quoting), keeping comments."""
    files = [file for file, _ in jr.rules.ruleset_files(paths, ("ruleset",))]
    untidy = 0
    for file in files:
        if not file.is_file():
            raise jr.InvalidInput(str(file), [jr.Problem("no such file", file=str(file))])
        result = jr.rules.format_ruleset(file, write=not check and not diff)
        if not result.changed:
            continue
        untidy += 1
        if diff:
            before = file.read_text(encoding="utf-8").splitlines(keepends=True)
            typer.echo("".join(difflib.unified_diff(before, result.text.splitlines(
                keepends=True), f"{file}", f"{file} (formatted)")), nl=False)
        typer.echo(f"{'would reformat' if check or diff else 'reformatted'} {file}")
    done = "to reformat" if check or diff else "reformatted"
    typer.echo(f"{len(files)} file(s), {untidy} {done}")
    if (check or diff) and untidy:
        raise typer.Exit(1)


@rules_app.command("test")
def run_tests(
    path: Annotated[Path | None, typer.Argument(
        metavar="PATH", help="A test-case file or a folder of them (default: the cases bundled "
        "with the library).")] = None,
    keyword: Annotated[str | None, typer.Option(
        "-k", metavar="EXPR",
        help="Only cases whose file::name matches: words, and, or, not, ( ).")] = None,
    exitfirst: Annotated[bool, typer.Option("-x", "--exitfirst",
                                            help="Stop at the first failure.")] = False,
    output: Annotated[TestFormat, typer.Option("--format", help="text, json or junit")]
    = TestFormat.text,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run ruleset test cases; print each failure and `N passed, N failed`; exit 1 on failure."""
    results = jr.rules.run_ruleset_tests(path, keyword=keyword, exitfirst=exitfirst)
    if output is TestFormat.json:
        _echo_json({"passed": sum(r.passed for r in results),
                    "failed": sum(not r.passed for r in results),
                    "cases": [{"file": r.file, "name": r.name, "passed": r.passed,
                               "failures": list(r.failures), "fired": sorted(r.fired)}
                              for r in results]})
    elif output is TestFormat.junit:
        typer.echo(_junit(results))
    else:
        for r in results:
            if not r.passed:
                typer.echo(f"FAIL {r.file}: {r.name}")
                for failure in r.failures:
                    typer.echo("".join(f"    {line}\n" for line in failure.splitlines()),
                               nl=False)
            elif verbose:
                typer.echo(f"ok   {r.file}: {r.name}")
        typer.echo(jr.rules.ruleset_test_summary(results))
    if any(not r.passed for r in results):
        raise typer.Exit(1)


def _junit(results: list[jr.rules.CaseResult]) -> str:
    """JUnit XML, as CI servers read pytest's ``--junitxml``: one testsuite, a testcase per
    case (classname: the case file), a failure per failed case."""
    failed = sum(not r.passed for r in results)
    suite = ElementTree.Element("testsuite", name="journal-rules", tests=str(len(results)),
                                failures=str(failed), errors="0", skipped="0",
                                time=f"{sum(r.seconds for r in results):.3f}")
    for r in results:
        case = ElementTree.SubElement(suite, "testcase", classname=r.file, name=r.name,
                                      time=f"{r.seconds:.3f}")
        if not r.passed:
            summary = " ".join(" ".join(r.failures).split())
            failure = ElementTree.SubElement(case, "failure", message=summary[:200] or "failed")
            failure.text = "\n".join(r.failures)
    root = ElementTree.Element("testsuites", tests=str(len(results)), failures=str(failed))
    root.append(suite)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


@rules_app.command("coverage")
def coverage(ruleset: RulesetOption = None,
             tests: Annotated[Path | None, typer.Option(
                 "--tests", metavar="PATH",
                 help="Test cases: a file or folder (default: the bundled cases).")]
             = None,
             threshold: Annotated[float, typer.Option(
                 "--threshold", min=0, max=100, metavar="PCT",
                 help="Exit 1 if fewer behavioural clauses than this percentage are covered.")]
             = 100.0,
             output: FormatOption = TextOrJson.text,
             lang: LangOption = None) -> None:
    """Run the cases under the ruleset given and show SOP clause -> rules -> test cases, and the
    rules that never fired; exit 1 below the threshold."""
    loaded = load_ruleset(ruleset)
    lg = language(lang, loaded)
    results = jr.rules.run_ruleset_tests(tests, ruleset=loaded)
    report = jr.rules.ruleset_coverage_report(loaded, results)
    if output is TextOrJson.json:
        _echo_json({**report.as_dict(), "threshold": threshold,
                    "passed": report.percent >= threshold})
    else:
        for row in report.clauses:
            mark = label("covered", lg) if row.covered else (label("missing", lg)
                                                              if row.behavioural else "-")
            typer.echo(f"{mark:8}{row.clause:14}{label('rules', lg)}: "
                       f"{', '.join(row.rules) or '-'}")
            typer.echo(f"{'':22}{label('cases', lg)}: {len(row.cases)}"
                       + (f" ({'; '.join(row.cases[:2])}{' ...' if len(row.cases) > 2 else ''})"
                          if row.cases else ""))
        behavioural = report.behavioural
        typer.echo(f"{label('never_fired', lg)}: {', '.join(report.never_fired) or '-'}")
        typer.echo(label("cases_run", lg, cases=report.cases, failed=report.failed))
        uncovered = [row.clause for row in behavioural if not row.covered]
        if uncovered:
            typer.echo(f"{label('uncovered', lg)}: " + ", ".join(uncovered))
        typer.echo(f"{report.percent:.1f}% ({label('threshold', lg)} {threshold:g}%)")
        covered = sum(row.covered for row in behavioural)
        typer.echo(label("clauses_covered", lg, covered=covered, total=len(behavioural)))
    if report.percent < threshold:
        raise typer.Exit(1)


@rules_app.command("facts")
def facts() -> None:
    """The fact catalogue of condition rules: each fact, what it is, its fields and types."""
    for fact in jr.rules.fact_catalogue().values():
        origin = "derived" if fact.derived else "event"
        typer.echo(f"{fact.name} ({origin}): {fact.doc}")
        for name, field_type in fact.fields.items():
            typer.echo(f"    {name}: {field_type}")


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
    typer.echo(json.dumps(jr.rules.ruleset_json_schema(), ensure_ascii=False, indent=2))


@rules_app.command("explain")
def explain(
    *,
    store: StoreOption = jr.storage.DEFAULT_STORE_URL,
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
        for result in jr.rules.run_ruleset_tests(case):
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


@rules_app.command("decide")
def decide(
    *,
    actor: Annotated[str, typer.Option("--actor", metavar="PERSON",
                                       help="Who asks (a person id).")],
    command: Annotated[str, typer.Option(
        "--command", metavar="COMMAND", help="The command as in test cases, YAML or JSON: "
        "'{do: close, with: {journal: J, control: C}}'; @FILE reads it from a file.")],
    as_of: Annotated[str, typer.Option(
        "--as-of", metavar="WHEN",
        help="When: YYYY-MM-DD (noon, local time) or an ISO 8601 moment.")],
    store: Annotated[str | None, typer.Option(
        "--store", metavar="URL", help="Decide against this store (read only).")] = None,
    world: Annotated[str | None, typer.Option(
        "--world", metavar="WORLD",
        help="Or against a case world: a bundled name (empty, demo-faculty, demo-term) or a "
        "world file.")] = None,
    ruleset: EditionsOption = None,
    output: FormatOption = TextOrJson.text,
    lang: LangOption = None,
    no_verify: NoVerifyOption = False,
) -> None:
    """One decision, nothing written: allow, or refuse with each rule, its clauses, facts and
    message. Exit 0 when allowed, 2 when refused, 1 on bad input (as `cedar authorize`)."""
    try:
        _decide(actor=actor, command=command, as_of=as_of, store=store, world=world,
                ruleset=ruleset, output=output, lang=lang, verify=not no_verify)
    except jr.JournalRulesError as exc:
        # Not the CLI's usual 2: here 2 means "refused", so bad input must read differently.
        print_error(exc)
        raise typer.Exit(1) from None


def _decide(*, actor: str, command: str, as_of: str, store: str | None, world: str | None,
            ruleset: list[Path] | None, output: TextOrJson, lang: Lang | None, verify: bool
            ) -> None:
    editions = _editions(ruleset)
    # The edition in force on the decision's day decides (in the university's time).
    loaded = editions.on(jr.rules.decision_day(as_of, editions.latest))
    lg = language(lang, loaded)
    if (store is None) == (world is None):
        raise jr.InvalidInput("decide", [jr.Problem("give --store or --world (one of them)",
                                                    path="--store")])
    text = command
    if command.startswith("@"):
        source = Path(command[1:])
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise jr.InvalidInput(str(source), [jr.Problem(f"cannot read: {exc}",
                                                           file=str(source))]) from None
    parsed = jr.rules.parse_case_command(text, command[1:] if command.startswith("@")
                                          else "--command")
    at = jr.rules.decision_moment(as_of, loaded)
    if world is not None:
        with jr.MemoryStore() as memory:
            chosen = load_world(world, beside=Path.cwd())
            clock = jr.ManualClock(chosen.clock)
            book = jr.rules.gradebook_for_editions(memory, editions, clock=clock)
            play_world(book, clock, chosen)
            decision = jr.rules.decide(memory, loaded, actor, parsed, at)
    else:
        with opened(store, verify=verify) as reading:
            decision = jr.rules.decide(reading, loaded, actor, parsed, at)
    verdict = "allow" if decision.allowed else "refuse"
    if output is TextOrJson.json:
        _echo_json({"decision": verdict, "actor": actor, "command": decision.command,
                    "at": at.isoformat(), "ruleset": attrs.asdict(loaded.ref),
                    "refusals": [r.as_dict() for r in decision.refusals]})
    else:
        typer.echo(label(f"decision_{verdict}", lg).upper())
        for refusal in decision.refusals:
            _explain_refusal(refusal, lg)
        if decision.allowed:
            typer.echo(f"  {_ref(loaded.ref, lg)}")
    if not decision.allowed:
        raise typer.Exit(2)


_PHASES = {"read": "reading journals", "judge": "judging journals"}


def _audit(url: str, ruleset: jr.Ruleset | jr.rules.Editions, as_of: date, *,
           verify: bool = True, journal: str | None = None, bar: bool = False
           ) -> jr.AuditReport:
    """The audit of the store at ``url`` (None: the default store), closed afterwards; an
    edited store is refused first unless ``verify`` is False; with ``journal``, that journal
    must be in the store. Several editions judge each finding by the edition of its day."""
    with opened(url, verify=verify) as store:
        if journal is not None and next(store.read(jr.events.journal_stream(journal)),
                                        None) is None:
            prefix = jr.events.journal_stream("")
            known = {i.name[len(prefix):] for i in store.streams() if i.name.startswith(prefix)}
            raise jr.UnknownEntity("journal", journal, _nearest(journal, known))
        if isinstance(ruleset, jr.rules.Editions):
            return jr.rules.audit_editions(store, ruleset, as_of)
        # The command's process does nothing else: pause the collector for its audit.
        with progress_bar("journals", quiet=not bar) as progress:
            return jr.audit(store, ruleset, as_of, pause_gc=True,
                            progress=lambda phase, done, total: progress(
                                _PHASES.get(phase, phase), done, total))


def _edition(finding: jr.Finding, several: bool, lang: jr.model.Language) -> str:
    """`` {edition 2}`` after a finding's rule when several editions judged the store."""
    if not several or finding.ruleset is None:
        return ""
    return " {" + label("edition", lang, edition=finding.ruleset.edition) + "}"


def _editions(paths: list[Path] | None) -> jr.rules.Editions:
    """The editions the --ruleset options give (default: the bundled ruleset alone)."""
    if not paths:
        return jr.rules.editions_of([jr.default_ruleset()])
    return jr.rules.load_editions(paths)


def _ref(ref: jr.model.RulesetRef, lang: jr.model.Language) -> str:
    return label("ruleset_edition", lang, ruleset=ref.id, edition=ref.edition,
                 hash=ref.content_hash[:12])


def _explain_refusal(refusal: jr.Refusal, lang: jr.model.Language) -> None:
    typer.echo(f"{label('refused_by', lang)} [{refusal.rule_id}] ({', '.join(refusal.clauses)})")
    typer.echo(f"  {refusal.message(lang)}")
    typer.echo(f"  {label('facts', lang)}: "
               f"{json.dumps(refusal.as_dict()['facts'], ensure_ascii=False)}")
    if refusal.ruleset is not None:
        typer.echo(f"  {_ref(refusal.ruleset, lang)}")


def _explain_report(report: jr.AuditReport, ruleset: jr.Ruleset | None, rule: str | None,
                    journal: str | None, lang: jr.model.Language) -> None:
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
            explained = ruleset.rule(f.rule_id)
            settings = explained.parameters()
            typer.echo(f"  {label('rule', lang)}: "
                       f"{json.dumps(_plain(settings), ensure_ascii=False)}")
            decision = explained.decision_texts().get(f.kind)
            if decision is not None:
                typer.echo(f"  {label('decided_by', lang)} ({f.kind}): {decision}")
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


def _roles(roles: tuple[str, ...], ruleset: jr.Ruleset | None, lang: jr.model.Language) -> str:
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
