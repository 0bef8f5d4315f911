"""Reading a table (CSV or XLSX) into rows of text, remembering each row's number."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._extras import import_extra

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


#: Bounds on a registry file: a registry of a whole university fits well inside them, a hostile
#: or broken file is refused before it costs more than a few seconds and megabytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
MAX_SHEET_ROWS = MAX_ROWS + 10_000
#: An XLSX is a zip: the sum of its parts' declared (uncompressed) sizes, and how much smaller than
#: that its compressed data may be, bound a zip bomb before anything is decompressed.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200


def read_table(path: str | Path, sheet: str | None = None, *,
               default_sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8, comma or semicolon) or XLSX file, within bounds.

    XLSX: ``sheet`` must exist when given; otherwise ``default_sheet`` if the workbook has it,
    else the first sheet. CSV is parsed strictly: an unterminated quote, a bare carriage return or
    a NUL is an error naming the row.
    """
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix not in (".xlsx", ".csv"):
            raise InvalidInput(name, [Problem("not a .csv or .xlsx file", file=name)])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(name, [Problem(f"too large: {size} bytes, at most "
                                              f"{MAX_FILE_BYTES}", file=name)])
        if suffix == ".xlsx":
            return _read_xlsx(path, sheet, default_sheet)
        return _read_csv(path)
    except OSError as exc:
        raise InvalidInput(name, [Problem(f"cannot read: {exc.strerror or exc}",
                                          file=name)]) from None


def _table(name: str, raw: Sequence[Sequence[object]]) -> Table:
    if not raw:
        raise InvalidInput(name, [Problem("the file is empty: it needs a header row", file=name,
                                          row=1)])
    header = [_text(c) for c in raw[0]]
    while header and not header[-1]:
        header.pop()
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, values in enumerate(raw, start=1):
        texts = header if number == 1 else [_text(v) for v in values]
        for i, t in enumerate(texts):
            if len(t) > MAX_CELL_CHARS:
                problems.append(Problem(f"a cell of {len(t)} characters, at most "
                                        f"{MAX_CELL_CHARS}", file=name, row=number,
                                        column=header[i] if i < len(header) else None))
        if number == 1 or not any(texts):
            continue
        cells = {col: (texts[i] if i < len(texts) else "") for i, col in enumerate(header)
                 if col}
        extra = [t for t in texts[len(header):] if t]
        if extra:
            cells[EXTRA] = ", ".join(extra)
        rows.append(Row(number, cells))
    if problems:
        raise InvalidInput(name, problems[:20])
    return Table(name, tuple(h for h in header if h), tuple(rows))


def _too_many(name: str, what: str, limit: int, row: int) -> InvalidInput:
    return InvalidInput(name, [Problem(f"more than {limit} {what}", file=name, row=row)])


def _row_at(text: str, position: int) -> int:
    """The number of the CSV row (the header is 1) that the character at ``position`` is in."""
    prefix = text[:position]
    rows = list(csv.reader(io.StringIO(prefix, newline="")))
    return max(len(rows), 1) + (1 if prefix.endswith("\n") else 0)


def _read_csv(path: Path) -> Table:
    name = str(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(name, [Problem(f"not UTF-8 text (byte {exc.start})",
                                          file=name)]) from None
    for bad, what in (("\x00", "a NUL character"), ("\r", "a carriage return not followed by a "
                                                          "line feed")):
        position = text.find(bad)
        while bad == "\r" and position >= 0 and text[position + 1:position + 2] == "\n":
            position = text.find(bad, position + 2)
        if position >= 0:
            raise InvalidInput(name, [Problem(f"{what}: the file is damaged or not a plain CSV",
                                              file=name, row=_row_at(text, position))])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    raw: list[list[str]] = []
    try:
        for record in reader:
            if len(raw) > MAX_ROWS:
                raise _too_many(name, "rows", MAX_ROWS, len(raw) + 1)
            if len(record) > MAX_COLUMNS:
                raise _too_many(name, "columns", MAX_COLUMNS, len(raw) + 1)
            raw.append(record)
    except csv.Error as exc:
        row = len(raw) + 1
        hint = " (a quote is opened and never closed)" if "end of data" in str(exc) else ""
        raise InvalidInput(name, [Problem(f"not a valid CSV row: {exc}{hint}, at line "
                                          f"{reader.line_num}", file=name, row=row)]) from None
    return _table(name, raw)


def _check_zip(path: Path) -> None:
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise InvalidInput(name, [Problem(f"not a readable XLSX workbook: {exc}",
                                          file=name)]) from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked > MAX_XLSX_RATIO * max(packed, 1024 * 64):
        raise InvalidInput(name, [Problem(
            f"refused: the workbook unpacks to {unpacked} bytes from {packed} (at most "
            f"{MAX_XLSX_UNPACKED_BYTES} bytes, {MAX_XLSX_RATIO} times its packed size)",
            file=name)])


def _read_xlsx(path: Path, sheet: str | None, default_sheet: str | None) -> Table:
    name = str(path)
    _check_zip(path)
    openpyxl = import_extra("openpyxl", "office", "reading an XLSX file")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InvalidInput(name, [Problem(f"not a readable XLSX workbook: {exc}",
                                          file=name)]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InvalidInput(name, [Problem(
                f"no sheet {sheet!r}; the workbook has: {', '.join(book.sheetnames)}", file=name,
                suggestion=suggest(sheet, set(book.sheetnames)))])
        chosen = sheet if sheet is not None else default_sheet
        if chosen is None or chosen not in book.sheetnames:
            if not book.sheetnames:
                raise InvalidInput(name, [Problem("the workbook has no sheets", file=name)])
            chosen = book.sheetnames[0]
        raw = _xlsx_rows(name, book[chosen])
    except InvalidInput:
        raise
    except Exception as exc:  # a damaged sheet: bad XML, bad numbers, bad shared strings
        raise InvalidInput(name, [Problem(f"not a readable XLSX workbook: {exc}",
                                          file=name)]) from None
    finally:
        book.close()
    return _table(name, raw)


def _xlsx_rows(name: str, ws: Any) -> list[list[object]]:
    """Every row of the sheet, whatever its declared dimension says (a dimension that
    under-declares the range would otherwise hide rows), within the row and column bounds."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    raw: list[list[object]] = []
    filled = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > MAX_SHEET_ROWS:  # empty rows too: a million of them compress to nothing
            raise _too_many(name, "rows, empty or not", MAX_SHEET_ROWS, number)
        row = list(values)
        while row and row[-1] is None:
            row.pop()
        if len(row) > MAX_COLUMNS:
            raise _too_many(name, "columns", MAX_COLUMNS, number)
        if row:
            filled += 1
            if filled > MAX_ROWS:
                raise _too_many(name, "rows", MAX_ROWS, number)
        raw.append(row)
    while raw and not raw[-1]:
        raw.pop()
    return raw
