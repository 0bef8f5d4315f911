"""``journal-rules templates``, ``import`` and ``sheets``: registry files in, office documents out.

Registered on the root app with :func:`register_office_commands`. ``sheets`` needs the ``office``
extra (fpdf2, font-roboto); the others only the core.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

import journal_rules as jr
from journal_rules.grading import GradeSheet, compute_grade_sheet, recorded_grade_sheets
from journal_rules.importing import IMPORT_SHEET, preview_import, write_templates
from journal_rules.storage import DEFAULT_STORE_URL

from ._labels import language
from ._options import (
    DocumentFormat,
    LangOption,
    NoVerifyOption,
    RulesetOption,
    StoreOption,
    load_ruleset,
    message,
    opened,
)
from ._progress import progress_bar


@contextmanager
def _book(store: str, ruleset: Path | None, *,
          verify: bool = False) -> Iterator[tuple[jr.Gradebook, jr.Ruleset]]:
    rules = load_ruleset(ruleset)
    with opened(store, verify=verify) as handle:
        yield jr.Gradebook.for_ruleset(handle, rules), rules


def _problems(exc: jr.InvalidInput) -> None:
    typer.echo(f"{exc.what}: {len(exc.problems)} problem(s), nothing was imported", err=True)
    for problem in exc.problems:
        typer.echo(f"  {problem}", err=True)


def templates(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER",
                                           help="Where to write the templates.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite templates already in the folder.")] = False,
) -> None:
    """Write a CSV and an XLSX template of every kind of registry file (P1-P6, T12, the
    structure and the people). Their example rows, imported in the order of docs/first-term.md,
    make a small school's first term. Files already there are kept unless --force."""
    for path in write_templates(folder, force=force):
        typer.echo(str(path))


class Kind(enum.StrEnum):
    """The kinds of registry file, in the order a new store imports them."""

    orgunits = "orgunits"
    people = "people"
    contingent = "contingent"
    terms = "terms"
    units = "units"
    curriculum = "curriculum"
    uploaders = "uploaders"
    plan = "plan"
    deadlines = "deadlines"
    journals = "journals"


def import_(  # noqa: PLR0917 - typer maps parameters to options
    kind: Annotated[Kind, typer.Argument(help="The kind of registry file.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .csv or .xlsx file.")],
    actor: Annotated[str, typer.Option(
        "--actor", metavar="PERSON", help="Who imports (a person id).")],
    store: StoreOption = DEFAULT_STORE_URL,
    ruleset: RulesetOption = None,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", metavar="NAME",
        help=f"XLSX sheet (default '{IMPORT_SHEET}' if present, else the first)")]
    = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print what would be recorded (new, changed and unchanged records) "
                          "and change nothing.")] = False,
) -> None:
    """Import a registry file: every bad row is reported at once and nothing is imported.
    Records the store already holds unchanged are not recorded again."""
    with _book(store, ruleset) as (book, _):
        try:
            preview = preview_import(book, kind.value, file, actor, sheet=sheet)
        except jr.InvalidInput as exc:
            _problems(exc)
            raise typer.Exit(1) from None
        if dry_run:
            for change in preview.changes:
                typer.echo(str(change))
            typer.echo(f"{file}: {preview.summary()}; dry run, nothing was recorded")
            return
        events = book.execute_many(actor, preview.commands) if preview.commands else []
    typer.echo(f"{file}: imported as {kind.value} ({preview.summary()}), {len(events)} "
               "event(s) recorded")


def sheets(  # noqa: PLR0917 - typer maps parameters to options
    out: Annotated[Path, typer.Option("--out", metavar="PATH", help="The folder to write into.")],
    journal: Annotated[list[str] | None, typer.Option(
        "--journal", metavar="JOURNAL",
        help="A journal id (repeat); default every journal with a sheet")] = None,
    fmt: Annotated[DocumentFormat, typer.Option("--format", help="The documents' format.")]
    = DocumentFormat.xlsx,
    lang: LangOption = None,
    compute: Annotated[bool, typer.Option(
        "--compute", help="Compute each journal's sheet now (not recorded) instead of "
                          "exporting the recorded ones")] = False,
    grid: Annotated[bool, typer.Option("--grid", help="Also export each journal's mark grid")]
    = False,
    store: StoreOption = DEFAULT_STORE_URL,
    ruleset: RulesetOption = None,
    no_verify: NoVerifyOption = False,
) -> None:
    """Export grade sheets (recorded, or computed with --compute) and mark grids. The store's
    stream heads are checked first: an edited store is refused unless --no-verify."""
    try:
        import journal_rules_office as office  # noqa: PLC0415 - the optional office extra
    except ImportError:
        raise jr.JournalRulesError("export needs the office extra: "
                                   "pip install 'journal-rules[office]'") from None
    pdf = fmt is DocumentFormat.pdf
    write_sheet = office.sheet_to_pdf if pdf else office.sheet_to_xlsx
    write_grid = office.grid_to_pdf if pdf else office.grid_to_xlsx
    written = 0
    formed = 0  # grade_sheet_formed events, with their table or not
    with _book(store, ruleset, verify=not no_verify) as (book, rules), \
            progress_bar("journals") as progress:
        chosen = language(lang, rules)
        lang_: office.Lang = "ru" if chosen == "ru" else "kk" if chosen == "kk" else "en"
        chosen_journals = journal or book.journals()
        for done, j in enumerate(chosen_journals, start=1):
            progress("sheets", done, len(chosen_journals))
            found: list[GradeSheet]
            if compute:
                if rules.grading is None:
                    raise jr.InvalidInput(rules.id, [jr.Problem("no grading section")])
                # Dated by its data (the journal's last entry), not by the wall clock.
                history = book.journal(j).history
                on = history[-1].recorded_at.astimezone(book.policy.tz).date() \
                    if history else None
                try:
                    found = [compute_grade_sheet(book, rules.grading, j, on=on)]
                except jr.InvalidInput as exc:
                    if journal:  # asked for by name: its problem is the answer
                        raise
                    # Every journal: a block's journal has no sheet of its own, say so, go on.
                    typer.echo(f"skipped {j}: {message(exc)}", err=True)
                    found = []
            else:
                formed += sum(1 for e in book.journal(j).history
                              if e.type == "grade_sheet_formed")
                found = recorded_grade_sheets(book, j)
            stem = j.replace("/", "_")
            for i, sheet in enumerate(found, 1):
                path = out / f"{stem}-{sheet.kind}-{i}.{fmt}"
                write_sheet(sheet, path, lang_)
                typer.echo(str(path))
                written += 1
            if grid:
                typer.echo(str(write_grid(book, j, out / f"{stem}-grid.{fmt}", lang_)))
                written += 1
    typer.echo(f"{written} document(s) written")
    if not written:
        hint = (f"{formed} grade sheet(s) were formed without their table, so there is no "
                "recorded sheet to export" if formed else "no grade sheet has been formed")
        typer.echo(f"nothing to export: {hint}; --compute computes each journal's sheet from "
                   "its marks, --grid exports the mark grids, --journal ID chooses journals",
                   err=True)
        raise typer.Exit(1)


def register_office_commands(app: typer.Typer) -> None:
    """Mount ``templates``, ``import`` and ``sheets`` on the root app."""
    app.command("templates")(templates)
    app.command("import")(import_)
    app.command("sheets")(sheets)
