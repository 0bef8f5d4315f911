"""``rules lint``: check rulesets and test-case files, many at once, and report every problem with
file, line, column, a code and the nearest valid name, as text, JSON or SARIF 2.1.0 (what code
review tools read)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from journal_rules._errors import InvalidInput, Problem
from journal_rules._ruleset import load_ruleset
from journal_rules._version import __version__
from journal_rules._yaml import read_located

from ._cases import load_cases
from ._editions import Editions, load_editions

#: Problem codes, each with what it means (SARIF's rule descriptions); the first pattern that
#: matches a problem's message gives its code.
CODES: dict[str, str] = {
    "yaml": "the file is not valid YAML, or crosses a bound (size, depth, aliases)",
    "duplicate-key": "a key written twice in one mapping",
    "extends": "the base ruleset cannot be found, or extends forms a cycle",
    "missing": "a required section or field is missing",
    "unknown-name": "an unknown section, field, kind, role, rule, command or other name",
    "wrong-type": "a value of the wrong type",
    "out-of-bounds": "a number outside the bounds of its field",
    "message-template": "a message template with a placeholder the rule does not carry",
    "never-fires": "a rule that could never fire",
    "invalid": "any other problem",
}
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE)) for code, pattern in (
        ("duplicate-key", r"written twice"),
        ("yaml", r"not valid YAML|not YAML|too large|nested more than|alias|not UTF-8|"
                 r"cannot read"),
        ("extends", r"base ruleset|extends"),
        ("message-template", r"placeholder|template|brace"),
        ("never-fires", r"never fire|could never|no command records|names nobody|would name"),
        ("out-of-bounds", r"out of bounds|within bounds|at most|at least"),
        ("missing", r"missing|required"),
        ("unknown-name", r"unknown|no rule|no such|not in the ruleset"),
        ("wrong-type", r"expected|is not a|not a |must be"),
    ))


@attrs.frozen
class LintProblem:
    """One problem of one file, ready for a terminal, a JSON reader or a SARIF viewer."""

    file: str
    line: int | None
    column: int | None
    code: str
    message: str
    path: str = ""
    suggestion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def __str__(self) -> str:
        where = self.file + "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        field = f" {self.path}:" if self.path else ""
        return f"{where}: {self.code}:{field} {self.message}{hint}"


@attrs.frozen
class LintedFile:
    file: str
    kind: str  # "ruleset" or "cases"
    summary: str
    problems: tuple[LintProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def code_of(message: str) -> str:
    return next((code for code, pattern in _PATTERNS if pattern.search(message)), "invalid")


def lint_files(paths: Sequence[Path]) -> list[LintedFile]:
    """Lint every file given, and every ``*.yaml`` under every folder given: a file with a top
    level ``cases`` is a test-case file, one with ``editions`` an editions list, any other a
    ruleset. Inside a folder, YAML files that are none of these are left alone."""
    out: list[LintedFile] = []
    for file, kind in yaml_files(paths):
        if not file.exists():
            out.append(LintedFile(str(file), kind, "missing", (
                LintProblem(str(file), None, None, "yaml", "no such file or folder"),)))
        else:
            out.append(_lint(file, kind))
    return out


def yaml_files(paths: Sequence[Path],
               kinds: tuple[str, ...] = ("ruleset", "cases", "editions")
               ) -> list[tuple[Path, str]]:
    """The files given (of the kind their content shows; a ruleset unless they have
    ``cases``) and, under each folder given, the YAML files of one of ``kinds``."""
    out: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted({*path.rglob("*.yaml"), *path.rglob("*.yml")}):
                kind = _kind(file)
                if kind in kinds:
                    out.append((file, kind))
        else:
            out.append((path, (_kind(path) if path.exists() else None) or "ruleset"))
    return out


def _kind(file: Path) -> str | None:
    try:
        data = read_located(file).data
    except InvalidInput:
        return "ruleset"  # broken: lint reports why
    if isinstance(data, dict) and "cases" in data:
        return "cases"
    if isinstance(data, dict) and "editions" in data:
        return "editions"
    if isinstance(data, dict) and "ruleset" in data:
        return "ruleset"
    return None


def _lint(file: Path, kind: str) -> LintedFile:
    try:
        if kind == "editions":
            editions = load_editions([file])
            summary = f"{len(editions.editions)} edition(s): " + ", ".join(
                f"{e.ruleset.meta.id} edition {e.ruleset.meta.edition} from {e.starts}"
                for e in editions.editions)
        elif kind == "cases":
            judged_by, _, cases = load_cases(file)
            names = ", ".join(r.meta.id for r in (judged_by.rulesets if isinstance(
                judged_by, Editions) else (judged_by,)))
            summary = f"{len(cases)} case(s) for {names}"
        else:
            ruleset = load_ruleset(file)
            summary = (f"{ruleset.meta.id}, edition {ruleset.meta.edition}, "
                       f"{len(ruleset.rules)} rules, sha256 {ruleset.content_hash[:12]}")
    except InvalidInput as exc:
        return LintedFile(str(file), kind, f"{len(exc.problems)} problem(s)",
                          tuple(_located(p, str(file)) for p in exc.problems))
    return LintedFile(str(file), kind, summary)


def _located(problem: Problem, default_file: str) -> LintProblem:
    file = problem.file or default_file
    return LintProblem(file, problem.line, _column(file, problem.line, problem.path),
                       code_of(problem.message), problem.message, problem.path,
                       problem.suggestion)


def _column(file: str, line: int | None, path: str) -> int | None:
    """The column (from 1) of the key the problem is about on its line, else of the line's
    first character."""
    if line is None:
        return None
    try:
        with open(file, encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    key = re.split(r"[.\[]", path)[-1] if path else ""
                    found = re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text) \
                        if key and not key.endswith("]") else None
                    return found.start() + 1 if found else len(text) - len(text.lstrip()) + 1
    except (OSError, UnicodeDecodeError):
        return None
    return None


def problems(files: Iterable[LintedFile]) -> list[LintProblem]:
    return [p for f in files for p in f.problems]


def as_json(files: Sequence[LintedFile]) -> dict[str, Any]:
    return {"files": [{"file": f.file, "kind": f.kind, "ok": f.ok, "summary": f.summary}
                      for f in files],
            "problems": [p.as_dict() for p in problems(files)],
            "ok": all(f.ok for f in files)}


def as_sarif(files: Sequence[LintedFile], base: Path | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the problems; file URIs relative to ``base`` (default: the
    working folder) where they are inside it."""
    root = (base or Path.cwd()).resolve()
    used = sorted({p.code for p in problems(files)})
    results = []
    for p in problems(files):
        resolved = Path(p.file).resolve()
        uri = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) \
            else resolved.as_uri()
        region: dict[str, int] = {}
        if p.line is not None:
            region["startLine"] = p.line
        if p.column is not None:
            region["startColumn"] = p.column
        text = p.message + (f" (did you mean {p.suggestion!r}?)" if p.suggestion else "")
        result: dict[str, Any] = {
            "ruleId": p.code, "ruleIndex": used.index(p.code), "level": "error",
            "message": {"text": f"{p.path}: {text}" if p.path else text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri},
                **({"region": region} if region else {})}}]}
        if p.suggestion:
            result["properties"] = {"suggestion": p.suggestion, "path": p.path}
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {
            "name": "journal-rules", "version": __version__,
            "informationUri": "https://journal-rules.example/docs/policy-authors",
            "rules": [{"id": code, "shortDescription": {"text": CODES[code]}}
                      for code in used]}},
            "results": results}]}
