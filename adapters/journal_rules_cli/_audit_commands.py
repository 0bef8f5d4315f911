"""``journal-rules audit``: the audit for people (a text list in the ruleset's language) and for
pipelines (JSON, JSON Lines, filters and ``--fail-on`` exit codes).

Exit codes: 0 the audit ran (and, with ``--fail-on``, found nothing it fails on); 1 ``--fail-on``
found what it names among the kept findings; 2 the command failed (bad input, an unknown or
edited store: the message says why)."""

from __future__ import annotations

import enum
import json
from collections.abc import Set
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import attrs
import typer

import journal_rules as jr
from journal_rules.model import Language
from journal_rules.storage import DEFAULT_STORE_URL

from ._labels import kind, label, language
from ._options import (
    AsOfOption,
    Lang,
    LangOption,
    NoVerifyOption,
    StoreOption,
    handled,
)
from ._rules_commands import EditionsOption, _audit, _edition, _editions, _nearest


class AuditFormat(enum.StrEnum):
    """How the audit is printed: a list to read, one JSON document, or JSON Lines (one finding,
    register entry or sanction per line, each with its ``kind``)."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


class Kind(enum.StrEnum):
    """What the audit reports."""

    violation = "violation"
    pending = "pending"
    register = "register"
    sanction = "sanction"


class FailOn(enum.StrEnum):
    """What makes ``--fail-on`` exit 1: a violation, or a violation or a pending obligation."""

    violation = "violation"
    pending = "pending"


@attrs.frozen
class AuditFilter:
    """The findings and sanctions a user asked for: each given criterion must hold (and, within
    one criterion given several times, any of its values)."""

    rules: frozenset[str] = frozenset()
    clauses: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def keeps_finding(self, f: jr.Finding) -> bool:
        departments = {f.department} | ({f.subject} if f.subject_kind == "department" else set())
        people = ({f.person, *f.responsible}
                  | ({f.subject} if f.subject_kind == "person" else set()))
        return self._keeps(f.rule_id, f.clauses, f.kind, departments, people)

    def keeps_sanction(self, s: jr.Sanction) -> bool:
        departments = {s.subject} if s.against == "department" else set()
        # A department's sanction names its head (T17): the head is among the people it concerns.
        people = {*s.responsible, *_named(s)} | ({s.subject} if s.against == "teacher" else set())
        return self._keeps(s.rule_id, s.clauses, "sanction", departments, people)

    def _keeps(self, rule: str, clauses: tuple[str, ...], what: str,
               departments: Set[str | None], people: Set[str | None]) -> bool:
        return ((not self.rules or rule in self.rules)
                and (not self.clauses or not self.clauses.isdisjoint(clauses))
                and (not self.kinds or what in self.kinds)
                and (not self.departments or not self.departments.isdisjoint(departments))
                and (not self.people or not self.people.isdisjoint(people)))

    def apply(self, report: jr.AuditReport) -> jr.AuditReport:
        """The report with only what this filter keeps."""
        return attrs.evolve(
            report,
            findings=tuple(f for f in report.findings if self.keeps_finding(f)),
            register=tuple(f for f in report.register if self.keeps_finding(f)),
            sanctions=tuple(s for s in report.sanctions if self.keeps_sanction(s)))


def _named(s: jr.Sanction) -> tuple[str, ...]:
    named = s.facts.get("named", ())
    return tuple(str(n) for n in named) if isinstance(named, list | tuple) else ()


def jsonl_lines(report: jr.AuditReport) -> list[str]:
    """One JSON object per finding, register entry and sanction, in the report's order; each
    carries ``kind`` (violation, pending, register, sanction) and the audit's ``as_of``."""
    rows = [f.as_dict() for f in (*report.findings, *report.register)]
    rows += [{"kind": "sanction", **s.as_dict()} for s in report.sanctions]
    as_of = report.as_of.isoformat()
    return [json.dumps({**row, "as_of": as_of}, ensure_ascii=False) for row in rows]


def fails(report: jr.AuditReport, fail_on: FailOn | None) -> bool:
    """Whether the (filtered) report holds what ``--fail-on`` names."""
    if fail_on is None:
        return False
    if fail_on is FailOn.violation:
        return bool(report.violations)
    return bool(report.violations or report.pending)


def audit_command(
    *,
    store: StoreOption = DEFAULT_STORE_URL,
    as_of: AsOfOption = None,
    ruleset: EditionsOption = None,
    output: Annotated[AuditFormat, typer.Option(
        "--format", help="How to print the report: text, one JSON document, or JSON Lines.")]
    = AuditFormat.text,
    lang: LangOption = None,
    no_verify: NoVerifyOption = False,
    rule: Annotated[list[str] | None, typer.Option(
        "--rule", metavar="RULE", help="Only this rule id (repeatable).")] = None,
    clause: Annotated[list[str] | None, typer.Option(
        "--clause", metavar="CLAUSE", help="Only what cites this SOP clause, e.g. T11 "
        "(repeatable).")] = None,
    department: Annotated[list[str] | None, typer.Option(
        "--department", metavar="DEPARTMENT", help="Only what concerns this department "
        "(repeatable).")] = None,
    person: Annotated[list[str] | None, typer.Option(
        "--person", metavar="PERSON", help="Only what concerns this person: the one it is "
        "about or one who answers for it (repeatable).")] = None,
    only: Annotated[list[Kind] | None, typer.Option(
        "--kind", metavar="[violation|pending|register|sanction]",
        help="Only this kind (repeatable).")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit 1 if the kept findings hold a violation (violation) or a "
        "violation or pending obligation (pending).")] = None,
) -> None:
    """Audit a store as of a date: findings, pending obligations, register entries and
    sanctions. The store's stream heads are checked first (against the latest signed
    checkpoint): an edited store is refused unless --no-verify.

    Filters keep what matches every criterion given. Exit codes: 0 done; 1 --fail-on found a
    violation (or, with pending, a violation or pending obligation) among what the filters
    kept; 2 the command failed."""
    with handled():
        failed = _run(store, as_of, ruleset, output, lang, no_verify, AuditFilter(
            rules=frozenset(rule or ()), clauses=frozenset(clause or ()),
            departments=frozenset(department or ()), people=frozenset(person or ()),
            kinds=frozenset(str(k) for k in only or ())), fail_on)
    if failed:
        raise typer.Exit(1)


def _run(store: str, as_of: date | None, ruleset: list[Path] | None,  # noqa: PLR0917
         output: AuditFormat, lang: Lang | None, no_verify: bool, chosen: AuditFilter,
         fail_on: FailOn | None) -> bool:
    editions = _editions(ruleset)
    if as_of is None:  # today where the university is (the ruleset's time zone)
        as_of = datetime.now(editions.latest.policy.tz).date()
    loaded = editions.on(as_of)
    lg = language(lang, loaded)
    several = len(editions.editions) > 1
    for edition in editions.rulesets if chosen.rules else ():
        if chosen.rules - {r.id for r in edition.rules}:
            _check_rules(chosen.rules, edition)
    report = chosen.apply(_audit(store, editions if several else loaded, as_of,
                                 verify=not no_verify, bar=True))
    if output is AuditFormat.json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif output is AuditFormat.jsonl:
        for line in jsonl_lines(report):
            typer.echo(line)
    else:
        _print_text(report, lg, several=several)
    return fails(report, fail_on)


def _check_rules(rules: frozenset[str], ruleset: jr.Ruleset) -> None:
    """A mistyped --rule would silently keep nothing (and pass --fail-on): refuse it."""
    known = {r.id for r in ruleset.rules}
    problems = []
    for r in sorted(rules - known):
        hint = _nearest(r, known)
        problems.append(jr.Problem(f"no rule {r!r} in ruleset {ruleset.id}"
                                   + (f" (did you mean {hint}?)" if hint else ""), path="--rule"))
    if problems:
        raise jr.InvalidInput("audit", problems)


def _print_text(report: jr.AuditReport, lg: Language, *, several: bool = False) -> None:
    typer.echo(label("audit_header", lg, as_of=report.as_of, ruleset=report.ruleset.id,
                     edition=report.ruleset.edition, hash=report.ruleset.content_hash[:12]))
    for f in report.findings:
        due = f" {label('due', lg)} {f.due}" if f.due else ""
        who = f" -> {', '.join(f.responsible)}" if f.responsible else ""
        typer.echo(f"{kind(f.kind, lg):9} [{f.rule_id}]{_edition(f, several, lg)} "
                   f"({', '.join(f.clauses)}){due}{who}: {f.message(lg)}")
    for f in report.register:
        typer.echo(f"{label('register', lg):9} [{f.rule_id}]{_edition(f, several, lg)} "
                   f"({', '.join(f.clauses)}): {f.message(lg)}")
    for s in report.sanctions:
        typer.echo(f"{label('sanction', lg):9} [{s.rule_id}] ({', '.join(s.clauses)}): "
                   f"{s.message(lg)}")
    typer.echo(label("audit_summary", lg, violations=len(report.violations),
                     pending=len(report.pending), register=len(report.register),
                     sanctions=len(report.sanctions)))
