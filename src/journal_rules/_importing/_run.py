"""Importing a registry file: read, check every row, check every command with the gradebook's
guard, and only then execute them all."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from journal_rules._commands import Command
from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._extras import import_extra
from journal_rules._gradebook import Gradebook
from journal_rules._storage import StoredEvent

from ._kinds import KINDS, ImportKind
from ._tables import read_table

IMPORT_SHEET = "data"
"""The sheet an XLSX import reads when no ``sheet`` is named and the workbook has it (the templates
and an exported КТП do); otherwise the first sheet. A sheet named explicitly must exist."""

IMPORT_KINDS: Mapping[str, ImportKind] = MappingProxyType(KINDS)
"""The kinds of registry file that can be imported, by name, with their columns."""


def _kind(kind: str) -> ImportKind:
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInput("import", [Problem(f"unknown kind of file {kind!r}", path="kind",
                                              suggestion=suggest(kind, set(KINDS)))])
    return found


def plan_import(book: Gradebook, kind: str, path: str | Path, actor: str | None = None,
                sheet: str | None = None) -> list[Command]:
    """The commands a registry file makes, after checking every row (and, with ``actor``, every
    command with the guard). Raises :class:`InvalidInput` listing every problem at once."""
    spec = _kind(kind)
    table = read_table(path, sheet, default_sheet=IMPORT_SHEET)
    problems: list[Problem] = []
    commands = spec.build(table, book.directory, problems)
    if not problems and actor is not None:
        for i, command in enumerate(commands):
            try:
                decision = book.check(actor, command)
            except InvalidInput as exc:
                problems.extend(Problem(p.message, file=table.file, path=p.path,
                                        column=p.column, row=p.row, suggestion=p.suggestion)
                                for p in exc.problems)
                continue
            for refusal in decision.refusals:
                problems.append(Problem(f"[{refusal.rule_id} {','.join(refusal.clauses)}] "
                                        f"{refusal.message('en')}", file=table.file,
                                        path=f"command[{i}]"))
    if problems:
        raise InvalidInput(table.file, problems)
    return commands


def import_file(book: Gradebook, actor: str, kind: str, path: str | Path,
                sheet: str | None = None) -> list[StoredEvent]:
    """Import a registry file of ``kind`` (see :data:`IMPORT_KINDS`) as ``actor``: all or
    nothing. Every bad row is reported at once (:class:`InvalidInput` with file, row, column);
    a refusal by the guard too; nothing is written then."""
    commands = plan_import(book, kind, path, actor, sheet)
    return book.execute_many(actor, commands)


def write_templates(folder: str | Path) -> list[Path]:
    """Write a CSV and an XLSX template of every kind into ``folder``: the header row, an example
    row, and (in the XLSX) a second sheet describing each column."""
    openpyxl = import_extra("openpyxl", "office", "writing XLSX templates")
    styles = import_extra("openpyxl.styles", "office", "writing XLSX templates")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, spec in KINDS.items():
        header = [c.name for c in spec.columns]
        example = [c.example for c in spec.columns]
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerow(example)
        written.append(path)
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = IMPORT_SHEET
        ws.append(header)
        ws.append(example)
        for cell in ws[1]:
            cell.font = styles.Font(bold=True)
        about = wb.create_sheet("columns")
        about.append(["column", "type", "required", "meaning", "example"])
        for c in spec.columns:
            about.append([c.name, c.type, "yes" if c.required else "no", c.help, c.example])
        about.append([])
        about.append([spec.title, ", ".join(spec.clauses)])
        path = folder / f"{name}.xlsx"
        wb.save(path)
        wb.close()
        written.append(path)
    return written
