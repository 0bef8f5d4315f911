"""The bad-input corpus: hostile and broken files of every kind the library reads, generated.

Each :class:`Case` writes its files into a folder and returns the command line that feeds them
to ``journal-rules``. Every case must end in one clear error (exit code 1 or 2, a message, no
traceback) within 10 s and 500 MB: see ``test_corpus.py``, which runs the whole corpus through the
real entry point in a child process whose address space is limited.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import attrs
from openpyxl import Workbook

import journal_rules as jr
from journal_rules.policy import DEFAULT_RULESET

Build = Callable[[Path], list[str]]
MEMORY = ["--store", "memory://"]


@attrs.frozen
class Case:
    name: str
    build: Build
    #: the exit codes that mean "refused with a message": 1 for a bad file that a command reports
    #: problem by problem (lint, import), 2 for any other library error or a bad argument
    exits: frozenset[int] = frozenset({1, 2})
    #: a piece of the message the user must see
    says: str = ""


CASES: list[Case] = []


def case(name: str, *, exits: set[int] | None = None, says: str = "") -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        CASES.append(Case(name, build, frozenset(exits or {1, 2}), says))
        return build
    return register


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


BUNDLED = jr.bundled_rulesets()[DEFAULT_RULESET].read_text(encoding="utf-8")
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    + ["ruleset: *a8"]) + "\n"


def _template(placeholder: str) -> str:
    match = re.search(r'en: "[^"\n]*\{journal\}', BUNDLED)
    assert match is not None
    return BUNDLED.replace(match.group(0), match.group(0).replace("{journal}", placeholder), 1)


# --- rulesets (journal-rules rules lint) --------------------------------------------------------

def _lint(name: str, text: str | bytes, says: str = "") -> None:
    @case(f"ruleset: {name}", says=says)
    def build(folder: Path) -> list[str]:
        return ["rules", "lint", str(_write(folder / "ruleset.yaml", text))]


_lint("alias bomb", ALIAS_BOMB, "aliases are expanded")
_lint("recursive alias", "ruleset: &a [*a]\n", "cycle")
_lint("duplicate grants", BUNDLED.replace(
    "    actions: [reopen]\n", "    actions: [reopen]\n    grants: [{role: teacher, scope: any}]\n",
    1), "written twice")
_lint("deep flow nesting", "ruleset: " + "[" * 100_000, "nesting depth")
_lint("deep block nesting", "ruleset:\n" + "".join(" " * i + "- \n" for i in range(1, 1000)),
      "nest")
_lint("3 MB file", "# " + "x" * (3 * 1024 * 1024), "too large")
_lint("latin-1 bytes", b"ruleset: caf\xe9\n", "not UTF-8")
_lint("random binary", bytes(range(256)) * 4, "")
_lint("python tag", "ruleset: !!python/object/apply:os.system [echo hi]\n", "constructor")
_lint("impossible date", BUNDLED.replace("in_force:", "in_force: {from: 2021-02-30}\n"
                                         "  old_in_force:", 1), "")
_lint("empty", "", "a ruleset is a mapping")
_lint("a list", "- 1\n- 2\n", "a ruleset is a mapping")
_lint("positional template {0}", _template("{0}"), "positional")
_lint("attribute template", _template("{journal.__class__.__mro__}"), "attribute")
_lint("index template", _template("{journal[0]}"), "attribute or index")
_lint("width template", _template("{journal:>999999999}"), "format specifications")
_lint("unknown field template", _template("{jurnal}"), "no fact 'jurnal'")
_lint("unbalanced brace", _template("{journal"), "not a valid message template")
_lint("huge parameter", BUNDLED.replace("    value: 3\n", "    value: 1000000000000000000\n", 1),
      "out of bounds")
_lint("negative days", BUNDLED.replace("    value: 3\n", "    value: -5\n", 1), "out of bounds")
_lint("huge decimal", BUNDLED.replace("unmarked: 0", "unmarked: 1e999999", 1), "within bounds")
_lint("gpa places", BUNDLED.replace("gpa_places: 2", "gpa_places: 1000000", 1), "out of bounds")
_lint("extends absolute path", "ruleset: {id: x, extends: /etc/passwd}\n",
      "unknown base ruleset")
_lint("extends parent folder", "ruleset: {id: x, extends: ../../../../etc/hostname}\n",
      "unknown base ruleset")
_lint("extends itself", "ruleset: {id: x, extends: ruleset}\n", "cycle")


# --- rules test case files ----------------------------------------------------------------------

def _cases(name: str, text: str | bytes, says: str = "") -> None:
    @case(f"case file: {name}", exits={2}, says=says)
    def build(folder: Path) -> list[str]:
        return ["rules", "test", str(_write(folder / "cases.yaml", text))]


_cases("alias bomb", ALIAS_BOMB.replace("ruleset: *a8", "cases: *a8"), "aliases are expanded")
_cases("duplicate cases key", "cases: []\nworld: empty\ncases: []\n", "written twice")
_cases("not a mapping", "[1, 2]\n", "cases")
_cases("unknown world", "world: mars\ncases: []\n", "mars")
_cases("binary", b"\xff\xfe\x00\x01" * 100, "")
_cases("ruleset outside", "ruleset: /etc/passwd\ncases: []\n", "")


# --- registry imports (journal-rules import) ----------------------------------------------------

HEADER = ("academic_year,group,specialty,year_of_study,school,language,curation_dean,student,"
          "student_name\n")
ROW = "2025-2026,201,Педиатрия,2,som,kk,curator,s20101,Студент 201-01\n"


def _import(name: str, file: str, data: str | bytes | Callable[[Path], None], says: str = "",
            extra: tuple[str, ...] = ()) -> None:
    @case(f"import: {name}", says=says)
    def build(folder: Path) -> list[str]:
        path = folder / file
        if callable(data):
            data(path)
        else:
            _write(path, data)
        return ["import", "contingent", str(path), "--actor", "or-insp", *MEMORY, *extra]


_import("unterminated quote", "q.csv", HEADER + ROW + '201,x,2,som,kk,c,s2,"open\n' + ROW,
        "never closed")
_import("bare carriage return", "cr.csv", HEADER + ROW.rstrip("\n") + "\r" + ROW,
        "carriage return")
_import("NUL byte", "nul.csv", HEADER + ROW.replace("Студент", "\x00"), "NUL")
_import("text after quote", "q2.csv", HEADER + ROW.replace("s20101", '"s"x'), "not a valid CSV")
_import("latin-1", "l.csv", (HEADER + ROW).encode("utf-8") + b"\xe9\n", "not UTF-8")
_import("300 columns", "wide.csv", HEADER.rstrip("\n") + ",x" * 300 + "\n", "columns")
_import("50 001 rows", "tall.csv", HEADER + ROW * 50_001, "more than 50000 rows")
_import("20 000-character cell", "long.csv", HEADER + ROW.rstrip("\n") + "Я" * 20_000 + "\n",
        "at most 10000")
_import("a field past the csv module's limit", "huge.csv",
        HEADER + '2025-2026,201,"' + "x" * 200_000 + '",2,som,kk,c,s,n\n', "")
_import("huge number", "n.csv", HEADER + ROW.replace(",2,", ",1e999999999,"), "whole number")
_import("fraction", "f.csv", HEADER + ROW.replace(",2,", ",2.5,"), "whole number")
_import("empty file", "e.csv", "", "empty")
_import("header only", "h.csv", HEADER, "no data rows")
_import("not csv or xlsx", "x.txt", "hello", "not a .csv or .xlsx")
_import("21 MB file", "big.csv", HEADER + "#" * (21 * 1024 * 1024), "too large")
_import("xlsx: not a zip", "a.xlsx", b"\x00" * 64, "not a readable XLSX")
_import("xlsx: truncated zip", "b.xlsx", b"PK\x03\x04" + b"\x00" * 60, "not a readable XLSX")


def _workbook(path: Path, sheet: str = "data") -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(HEADER.strip().split(","))
    ws.append(ROW.strip().split(","))
    wb.save(path)
    wb.close()


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _zip_bomb(path: Path) -> None:
    _workbook(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (400 * 1024 * 1024))


def _sheet_bomb(path: Path) -> None:
    """The sheet itself is the bomb: a million rows of empty cells that compress to nothing."""
    _workbook(path)
    rows = b"".join(b'<row r="%d"><c r="A%d"/></row>' % (i, i) for i in range(3, 1_000_000))
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(b"</sheetData>",
                                                                  rows + b"</sheetData>"))


def _dimension_bomb(path: Path) -> None:
    _workbook(path)
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: re.sub(
        rb'<dimension ref="[A-Z0-9:]+" ?/>', b'<dimension ref="A1:XFD1048576"/>', b).replace(
        b"</sheetData>", b'<row r="999999999"><c r="XFD999999999" t="inlineStr"><is><t>x</t>'
                         b"</is></c></row></sheetData>"))


def _wide_row(path: Path) -> None:
    _workbook(path)
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: b.replace(
        b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
                         b"</sheetData>"))


def _broken_sheet(path: Path) -> None:
    _workbook(path)
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2])


def _xml_bomb(path: Path) -> None:
    _workbook(path)
    entities = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>"
    _rewrite(path, "xl/sharedStrings.xml" if False else "xl/worksheets/sheet1.xml",
             lambda b: b.replace(b"<worksheet", entities.encode() + b"<worksheet", 1).replace(
                 b"<sheetData>", b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&j;'
                                 b"</t></is></c></row>", 1))


_import("xlsx: zip bomb", "zb.xlsx", _zip_bomb, "refused: the workbook unpacks")
_import("xlsx: sheet of a million empty rows", "sb.xlsx", _sheet_bomb, "")
_import("xlsx: dimension bomb", "db.xlsx", _dimension_bomb, "")
_import("xlsx: a cell in the last column", "wr.xlsx", _wide_row, "columns")
_import("xlsx: damaged sheet xml", "bs.xlsx", _broken_sheet, "not a readable XLSX")
_import("xlsx: XML entity expansion", "xe.xlsx", _xml_bomb, "")
_import("xlsx: misspelt --sheet", "ms.xlsx", _workbook, "no sheet 'dta'", ("--sheet", "dta"))


# --- archives (journal-rules store restore) -----------------------------------------------------

def _restore(name: str, make: Callable[[Path], None], says: str = "") -> None:
    @case(f"restore: {name}", exits={2}, says=says)
    def build(folder: Path) -> list[str]:
        path = folder / "backup.jsonl.gz"
        make(path)
        return ["store", "restore", str(path), "--trust-unsigned", *MEMORY]


def _gz(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with gzip.open(path, "wb", compresslevel=1) as f:
            f.write(data)
    return make


def _gz_stream(chunk: bytes, times: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with gzip.open(path, "wb", compresslevel=1) as f:
            for _ in range(times):
                f.write(chunk)
    return make


HEAD = json.dumps({"format": "journal-rules-backup", "version": 1, "heads": {}}).encode() + b"\n"
_restore("gzip bomb without a newline", _gz_stream(b"\0" * (1024 * 1024), 1024), "longer than")
_restore("not gzip", lambda p: _write(p, b"hello"), "not a readable gzip")
_restore("truncated gzip", lambda p: (_gz(HEAD * 50)(p), p.write_bytes(p.read_bytes()[:40])),
         "")
_restore("not JSON", _gz(b"{nope\n"), "not JSON")
_restore("deeply nested JSON", _gz(b"[" * 200_000 + b"]" * 200_000 + b"\n"), "")
_restore("huge number", _gz(HEAD + b'{"stream":"s","version":1e999}\n'), "")
_restore("event record with wrong types", _gz(HEAD + json.dumps({
    "stream": "s", "version": [1], "type": 1, "actor": None, "recorded_at": "x",
    "occurred_on": 5, "reason": None, "data": 7, "prev_hash": 0, "hash": 0}).encode() + b"\n"), "")
_restore("a list line", _gz(HEAD + b"[1,2,3]\n"), "")
_restore("no header", _gz(b'{"footer": true}\n'), "not a journal-rules backup")
_restore("empty", _gz(b""), "empty archive")
_restore("truncated line", _gz(HEAD + b'{"stream": "s"'), "truncated")
_restore("missing file", lambda p: None, "no backup file")


# --- command-line arguments ---------------------------------------------------------------------

def _arguments(name: str, argv: list[str], says: str = "") -> None:
    @case(f"arguments: {name}", exits={2}, says=says)
    def build(folder: Path) -> list[str]:
        return [a.replace("{folder}", str(folder)) for a in argv]


_arguments("impossible --as-of", ["audit", "--as-of", "2024-13-45", *MEMORY], "not a date")
_arguments("--as-of without a date", ["audit", *MEMORY, "--as-of"], "--as-of")
_arguments("unknown --lang", ["audit", "--as-of", "2024-01-01", "--lang", "xx", *MEMORY],
           "'xx'")
_arguments("unknown --format", ["audit", "--as-of", "2024-01-01", "--format", "xml", *MEMORY],
           "'xml' is not one of")
_arguments("unknown store scheme", ["audit", "--as-of", "2024-01-01", "--store", "bogus://x"],
           "no store adapter")
_arguments("unknown import kind", ["import", "plna", "{folder}/x.csv", "--actor", "a", *MEMORY],
           "plan")
_arguments("missing ruleset file", ["audit", "--as-of", "2024-01-01", "--ruleset",
                                    "{folder}/none.yaml", *MEMORY], "cannot read")
_arguments("unknown option", ["audit", "--as-off", "2024-01-01"], "")
_arguments("unknown command", ["audti"], "")
_arguments("sqlite store in a missing folder", [
    "audit", "--as-of", "2024-01-01", "--store", "sqlite:///{folder}/no/such/dir/x.db"], "")
