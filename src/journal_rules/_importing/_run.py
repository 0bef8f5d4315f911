"""Importing a registry file: read, check every row, check every command with the gradebook's
guard, and only then execute them all."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from journal_rules._commands import Command
from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._extras import import_extra
from journal_rules._gradebook import Gradebook
from journal_rules._storage import StoredEvent

from ._changes import RecordChange, changes
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


@attrs.frozen
class ImportPreview:
    """What importing a file would do: the commands that record its new and changed records
    (nothing when the registry already holds the file) and the change of every record."""

    kind: str
    file: str
    commands: tuple[Command, ...]
    changes: tuple[RecordChange, ...]

    def count(self, status: str) -> int:
        """How many records are ``new``, ``changed`` or ``unchanged``."""
        return sum(1 for c in self.changes if c.status == status)

    def summary(self) -> str:
        return (f"{self.count('new')} new, {self.count('changed')} changed, "
                f"{self.count('unchanged')} unchanged")


def preview_import(book: Gradebook, kind: str, path: str | Path, actor: str | None = None,
                   sheet: str | None = None) -> ImportPreview:
    """Read and check a registry file as :func:`import_file` would, and say what importing it
    would record, without writing anything. Raises :class:`InvalidInput` listing every problem
    at once (rows, references, and, with ``actor``, the guard's refusals)."""
    spec = _kind(kind)
    table = read_table(path, sheet, default_sheet=IMPORT_SHEET)
    problems: list[Problem] = []
    built = spec.build(table, book.directory, problems, frozenset(book.policy.roles))
    commands, found = changes(built, book.directory)
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
    return ImportPreview(kind, table.file, tuple(commands), tuple(found))


def plan_import(book: Gradebook, kind: str, path: str | Path, actor: str | None = None,
                sheet: str | None = None) -> list[Command]:
    """The commands importing a registry file records: those of its new and changed records
    (see :func:`preview_import`)."""
    return list(preview_import(book, kind, path, actor, sheet).commands)


def import_file(book: Gradebook, actor: str, kind: str, path: str | Path,
                sheet: str | None = None) -> list[StoredEvent]:
    """Import a registry file of ``kind`` (see :data:`IMPORT_KINDS`) as ``actor``: all or
    nothing. Every bad row is reported at once (:class:`InvalidInput` with file, row, column);
    a refusal by the guard too; nothing is written then. Records the registry already holds
    as they are are not recorded again: importing the same file twice records nothing the
    second time, and a changed row records exactly the change."""
    commands = plan_import(book, kind, path, actor, sheet)
    return book.execute_many(actor, commands) if commands else []


def write_templates(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write a CSV and an XLSX template of every kind into ``folder``: the header row, example
    rows (together, in the order of :data:`IMPORT_KINDS`, a small school's first term that
    imports cleanly), and (in the XLSX) a second sheet describing each column. Files already
    there (perhaps edited) are not overwritten unless ``force``: :class:`InvalidInput` names
    them and nothing is written."""
    openpyxl = import_extra("openpyxl", "office", "writing XLSX templates")
    styles = import_extra("openpyxl.styles", "office", "writing XLSX templates")
    utils = import_extra("openpyxl.utils", "office", "writing XLSX templates")
    folder = Path(folder)
    targets = [folder / f"{name}.{ext}" for name in KINDS for ext in ("csv", "xlsx")]
    existing = [p for p in targets if p.exists()]
    if existing and not force:  # they may have been filled in: never overwritten unasked
        names = ", ".join(p.name for p in existing[:4]) + (", ..." if len(existing) > 4 else "")
        raise InvalidInput(str(folder), [Problem(
            f"{len(existing)} template file(s) already there ({names}); nothing was written "
            "(overwrite with force, --force on the command line)")])
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, spec in KINDS.items():
        header = [c.name for c in spec.columns]
        examples = spec.example_rows()
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(examples)
        written.append(path)
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = IMPORT_SHEET
        ws.append(header)
        for example in examples:
            ws.append(example)
        for cell in ws[1]:
            cell.font = styles.Font(bold=True)
        ws.freeze_panes = "A2"
        for i, column in enumerate(ws.columns, 1):
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[utils.get_column_letter(i)].width = min(60, max(8, width + 2))
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
