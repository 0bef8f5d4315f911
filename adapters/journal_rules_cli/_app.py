"""The root command and the sub-commands it mounts."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import journal_rules as jr
from journal_rules.model import Language
from journal_rules.storage import DEFAULT_STORE_URL
from journal_rules.testing import demo_gradebook

from ._audit_commands import audit_command
from ._directory_commands import register_directory_commands
from ._generate_commands import generate
from ._journal_commands import register_journal_commands
from ._labels import kind, label, language
from ._office_commands import register_office_commands
from ._options import LangOption, StoreOption, new_app, opened, print_error
from ._rules_commands import rules_app
from ._store_commands import store_app

app = new_app("The electronic journal's SOP, executable: journals, rulesets, audits, stores.")
app.add_typer(rules_app, name="rules")
app.add_typer(store_app, name="store")
app.command("audit")(audit_command)
app.command("generate")(generate)
register_office_commands(app)
register_directory_commands(app)
register_journal_commands(app)

# No markup: messages, names and ids are data and may hold [brackets] of their own.
console = Console(markup=False, highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"journal-rules {jr.__version__}")
        for name, path in jr.bundled_rulesets().items():
            meta = jr.load_ruleset(path).meta
            typer.echo(f"bundled ruleset {name}: {meta.id}, edition {meta.edition}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and the bundled ruleset "
                                               "editions, and exit.")] = False,
) -> None:
    """journal-rules: the university's electronic-journal SOP as rules you can run."""


@app.command()
def demo(
    store: StoreOption = DEFAULT_STORE_URL,
    as_json: Annotated[bool, typer.Option("--json", help="Print the journal state as JSON.")]
    = False,
    lang: LangOption = None,
) -> None:
    """Record a small faculty's term (one closing, one reopening), print a journal's state and
    the audit of the term as of 31 October 2025.

    Runs on the embedded default store unless --store says otherwise; on a store that already
    holds the demo, it only prints.
    """
    ruleset = jr.default_ruleset()
    lg = language(lang, ruleset)
    with opened(store, create=True) as handle:
        book = demo_gradebook(handle, ruleset)
        state = book.journal("anat/101/2025-1")
        snapshot = state.snapshot()
        if as_json:
            typer.echo(json.dumps(snapshot, ensure_ascii=False, indent=2))
            return
        names = ruleset.names()
        table = Table(title=label("journal_title", lg, journal=state.id, version=state.version))
        for column in ("control", "state", "closings", "reopenings", "visas", "grade_sheets"):
            table.add_column(label(column, lg))
        for cid, c in snapshot["controls"].items():
            table.add_row(cid, str(names.name(lg, "states", c["state"])), str(c["closed"]),
                          str(c["reopened"]),
                          ", ".join(str(names.name(lg, "roles", v)) for v in c["visas"]) or "-",
                          ", ".join(c["sheets"]) or "-")
        console.print(table)
        verified = label("no", lg) if jr.verify_store(handle) else label("yes", lg)
        console.print(label("demo_summary", lg, journals=len(book.journals()),
                            marks=len(snapshot["grid"]), verified=verified))
        _print_audit(jr.audit(handle, ruleset, date(2025, 10, 31)), lg)


def _print_audit(report: jr.AuditReport, lang: Language) -> None:
    """A short audit: findings per rule with one example each, then the sanctions."""
    table = Table(title=label("audit_title", lang, as_of=report.as_of, ruleset=report.ruleset.id,
                              edition=report.ruleset.edition))
    for column in ("rule", "clauses", "kind", "count", "example"):
        table.add_column(label(column, lang), overflow="fold")
    by_rule: dict[tuple[str, str], list[jr.Finding]] = {}
    for finding in (*report.findings, *report.register):
        by_rule.setdefault((finding.rule_id, finding.kind), []).append(finding)
    for (rule, found_kind), found in by_rule.items():
        table.add_row(rule, " ".join(found[0].clauses), kind(found_kind, lang), str(len(found)),
                      found[0].message(lang))
    console.print(table)
    for sanction in report.sanctions:
        console.print(f"{sanction.rule_id} {sanction.subject}: {sanction.message(lang)}")


def main() -> None:
    """Entry point: library errors print as one clear message and exit 2."""
    try:
        app()
    except jr.JournalRulesError as exc:
        print_error(exc)
        raise SystemExit(2) from None
