"""Reading a table (CSV or XLSX) into rows of text, remembering each row's number."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import attrs
from openpyxl import load_workbook

from journal_rules._errors import InvalidInput, Problem

EXTRA = "\x00extra"  # the cells of a row beyond its header


@attrs.frozen
class Row:
    """A data row: its number in the file (the header is row 1) and its cells by column."""

    number: int
    cells: dict[str, str]


@attrs.frozen
class Table:
    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat() if isinstance(value, date) else value.strftime("%H:%M")
    if isinstance(value, float):
        d = Decimal(repr(value))
        return format(d.normalize(), "f") if d == d.to_integral_value() else repr(value)
    return str(value).strip()


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8, comma or semicolon) or XLSX file (the named sheet, else the first)."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _read_xlsx(path, sheet)
        if suffix == ".csv":
            return _read_csv(path)
    except OSError as exc:
        raise InvalidInput(name, [Problem(f"cannot read: {exc.strerror or exc}",
                                          file=name)]) from None
    raise InvalidInput(name, [Problem("not a .csv or .xlsx file", file=name)])


def _table(name: str, raw: Sequence[Sequence[object]]) -> Table:
    if not raw:
        raise InvalidInput(name, [Problem("the file is empty: it needs a header row", file=name,
                                          row=1)])
    header = [_text(c) for c in raw[0]]
    while header and not header[-1]:
        header.pop()
    rows: list[Row] = []
    for number, values in enumerate(raw[1:], start=2):
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        cells = {col: (texts[i] if i < len(texts) else "") for i, col in enumerate(header)
                 if col}
        extra = [t for t in texts[len(header):] if t]
        if extra:
            cells[EXTRA] = ", ".join(extra)
        rows.append(Row(number, cells))
    return Table(name, tuple(h for h in header if h), tuple(rows))


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(str(path), [Problem("not UTF-8 text", file=str(path))]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return _table(str(path), list(csv.reader(io.StringIO(text), delimiter=delimiter)))


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput(str(path), [Problem(f"not a readable XLSX workbook: {exc}",
                                               file=str(path))]) from None
    try:
        ws = book[sheet] if sheet is not None and sheet in book.sheetnames else \
            book.worksheets[0]
        raw = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(str(path), raw)
