"""Ruleset test cases: YAML files of steps (commands through the guarded gradebook, or raw events
recorded behind its back), an as-of date, and the findings, sanctions or refusals expected.

A case file names its ``world``: what exists before each case's first step, itself a YAML file of
steps (a bundled world by name, or a file beside the case file); see :func:`load_world`.

A case may carry a ``table``: ``columns`` and ``rows``; each row is run as its own case with
``{column}`` replaced in every text of the case (a text that is exactly ``{column}`` takes the
row's value with its type). See docs/policy-authors.md for the format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs

from journal_rules._clock import ManualClock
from journal_rules._commands import COMMANDS_BY_ACTION
from journal_rules._convert import converter, field_names, problems_of
from journal_rules._decision import Refusal
from journal_rules._errors import CommandRefused, InvalidInput, JournalRulesError, Problem, suggest
from journal_rules._events import EVENT_TYPES, JOURNAL_PREFIX, Stream, journal_stream
from journal_rules._gradebook import Gradebook
from journal_rules._log import EventLog
from journal_rules._model import Mark
from journal_rules._report import AuditReport, Finding
from journal_rules._ruleset import Ruleset, default_ruleset, load_ruleset
from journal_rules._storage import MemoryStore, NewEvent
from journal_rules._yaml import read_located

from ._audit import audit

# The commands a step may `do`, by action (derived from the command classes).
COMMANDS = COMMANDS_BY_ACTION

_cases_converter = converter.copy()
_cases_converter.register_structure_hook(Mark, lambda v, _: v if isinstance(v, Mark)
                                         else Mark.parse(v))


@attrs.frozen
class CaseResult:
    file: str
    name: str
    passed: bool
    failures: tuple[str, ...] = ()
    covers: frozenset[str] = frozenset()
    report: AuditReport | None = None
    refusals: tuple[Refusal, ...] = ()


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _fill(value: Any, row: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in row:
            return row[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(row.get(m.group(1), m.group(0))), value)
    if isinstance(value, dict):
        return {_fill(k, row): _fill(v, row) for k, v in value.items() if k != "table"}
    if isinstance(value, list):
        return [_fill(v, row) for v in value]
    return value


def expand(case: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """A case, or one case per row of its table."""
    table = case.get("table")
    if not table:
        yield dict(case)
        return
    columns = list(table["columns"])
    for i, row in enumerate(table["rows"], start=1):
        values = dict(zip(columns, row, strict=True))
        filled = _fill(case, values)
        filled["name"] = f"{_fill(case.get('name', 'case'), values)} [row {i}]"
        yield filled


def load_cases(path: Path) -> tuple[Ruleset, World, list[dict[str, Any]]]:
    located = read_located(path)
    data = located.data
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise InvalidInput(str(path), located.locate([Problem("a test file maps `cases` to a "
                                                              "list of cases")]))
    for key in data:
        if key not in ("ruleset", "world", "cases"):
            problems.append(Problem(f"unknown key {key!r}", path=str(key)))
    world: World | None = None
    try:
        world = load_world(str(data.get("world", "demo-faculty")), beside=path.parent)
    except UnknownWorld as exc:
        problems.append(Problem(str(exc.problems[0].message), path="world",
                                suggestion=exc.problems[0].suggestion))
    if problems or world is None:
        raise InvalidInput(str(path), located.locate(problems))
    ruleset_path = data.get("ruleset")
    ruleset = default_ruleset() if not ruleset_path else load_ruleset(
        (path.parent / str(ruleset_path)).resolve())
    cases: list[dict[str, Any]] = []
    for i, case in enumerate(data["cases"]):
        if not isinstance(case, dict):
            problems.append(Problem("a case maps name, steps, as_of, expect", path=f"cases[{i}]"))
            continue
        for one in expand(case):
            problems.extend(p for p in case_problems(one, f"cases[{i}]", ruleset)
                            if p not in problems)  # a table's rows share their mistakes
        cases.extend(expand(case))
    if problems:
        raise InvalidInput(str(path), located.locate(problems))
    return ruleset, world, cases


_STEP_KEYS = ("at", "actor", "do", "with", "refused", "invalid", "record")
_RECORD_KEYS = ("journal", "stream", "type", "data", "occurred_on", "reason")
_FINDING_KEYS = ("rule", "kind", "journal", "control", "subject", "person", "department",
                 "due", "severity", "responsible", "facts")
_SANCTION_KEYS = ("rule", "subject", "count", "sanction", "against", "responsible")


def _unknown(keys: Any, valid: Sequence[str] | set[str], path: str, what: str) -> list[Problem]:
    """An unknown key would be silently ignored (a step not taken, an expectation that checks
    nothing): each is a problem at its path, with the nearest valid key."""
    if not isinstance(keys, Mapping):
        return [Problem(f"a mapping of {what}s is needed here", path=path)]
    return [Problem(f"unknown {what} {key!r}", path=f"{path}.{key}",
                    suggestion=suggest(str(key), set(valid)))
            for key in keys if str(key) not in valid]


def case_problems(case: Mapping[str, Any], path: str, ruleset: Ruleset) -> list[Problem]:
    """What is wrong in one (expanded) case: unknown keys of the case, its steps, records and
    expectations; unknown commands, command fields, event types, streams and rule ids. Paths
    are the case file's, so the loader can give each its line."""
    out = _unknown(case, (*_CASE_KEYS, "table"), path, "case key")
    for n, step in enumerate(case.get("steps") or []):
        out.extend(_step_problems(step, f"{path}.steps[{n}]"))
    expect = case.get("expect") or {}
    out.extend(_unknown(expect, _EXPECT_KEYS, f"{path}.expect", "expectation key"))
    if not isinstance(expect, Mapping):
        return out
    rules = {r.id for r in ruleset.rules}  # findings and sanctions come from rules only
    for key, valid in (("findings", _FINDING_KEYS), ("absent", _FINDING_KEYS),
                       ("sanctions", _SANCTION_KEYS), ("no_sanctions", _SANCTION_KEYS)):
        for n, item in enumerate(expect.get(key) or []):
            where = f"{path}.expect.{key}[{n}]"
            want = _want(item) if isinstance(item, str | Mapping) else item
            out.extend(_unknown(want, valid, where, "expectation key"))
            rule = want.get("rule") if isinstance(want, Mapping) else None
            if rule is not None and str(rule) not in rules:
                out.append(Problem(f"no rule {rule!r} in the ruleset", path=f"{where}.rule"
                                   if isinstance(item, Mapping) else where,
                                   suggestion=suggest(str(rule), rules)))
    return out


def _step_problems(step: Any, path: str) -> list[Problem]:
    out = _unknown(step, _STEP_KEYS, path, "step key")
    if not isinstance(step, Mapping):
        return out
    if "record" in step:
        raw = step["record"]
        out.extend(_unknown(raw, _RECORD_KEYS, f"{path}.record", "record key"))
        if not isinstance(raw, Mapping):
            return out
        stream = raw.get("stream")
        if stream is None and "journal" not in raw:
            out.append(Problem("a record names its journal (or a registry stream)",
                               path=f"{path}.record"))
        elif stream is not None and str(stream) not in Stream.ALL \
                and not str(stream).startswith(JOURNAL_PREFIX):
            out.append(Problem(f"unknown stream {stream!r}; registry streams: "
                               + ", ".join(Stream.ALL) + f", or {JOURNAL_PREFIX}<journal id>",
                               path=f"{path}.record.stream",
                               suggestion=suggest(str(stream), set(Stream.ALL))))
        out.extend(_named_with_fields(raw, EVENT_TYPES, "event type", f"{path}.record",
                                      name_key="type", fields_key="data"))
        if "do" in step:
            out.append(Problem("a step either records an event or does a command, not both",
                               path=f"{path}.do"))
        return out
    out.extend(_named_with_fields(step, COMMANDS, "command", path, name_key="do",
                                  fields_key="with"))
    return out


def _named_with_fields(raw: Mapping[str, Any], table: Mapping[str, type], what: str, path: str,
                       *, name_key: str, fields_key: str) -> list[Problem]:
    """The class ``raw[name_key]`` names must be in ``table`` (an event type, a command), and
    the keys of ``raw[fields_key]``, when given, must be its fields."""
    name = str(raw.get(name_key))
    cls = table.get(name)
    if cls is None:
        return [Problem(f"unknown {what} {name!r}", path=f"{path}.{name_key}",
                        suggestion=suggest(name, set(table)))]
    if fields_key not in raw:
        return []
    return _unknown(raw[fields_key], field_names(cls), f"{path}.{fields_key}",
                    f"field of {name}")


def case_files(path: Path) -> list[Path]:
    if not path.exists():
        raise UnknownWorld(str(path), [Problem("no such file or folder of test cases",
                                               file=str(path))])
    if path.is_dir():
        return sorted(p for p in path.rglob("*.yaml") if "rulesets" not in p.relative_to(
            path).parts)
    return [path]


def run_path(path: Path) -> list[CaseResult]:
    """Run every case of a file, or of every ``*.yaml`` under a folder (``rulesets/`` folders
    inside it hold rulesets that cases refer to, not cases)."""
    results: list[CaseResult] = []
    for file in case_files(path):
        ruleset, world, cases = load_cases(file)
        for case in cases:
            results.append(run_case(ruleset, world, case, str(file)))
    return results


_CASE_KEYS = ("name", "table", "steps", "as_of", "expect", "covers")
_EXPECT_KEYS = ("findings", "absent", "sanctions", "no_sanctions")


def run_case(ruleset: Ruleset, world: World | str, case: Mapping[str, Any], file: str
             ) -> CaseResult:
    name = str(case.get("name", "case"))
    failures: list[str] = []
    covers = set(case.get("covers", []))
    world = world if isinstance(world, World) else load_world(world)
    store = MemoryStore()
    clock = ManualClock(world.clock)
    book = Gradebook.for_ruleset(store, ruleset, clock=clock)
    play_world(book, clock, world)
    refusals: list[Refusal] = []
    try:
        for n, step in enumerate(case.get("steps", []), start=1):
            failures.extend(_step(book, clock, step, n, refusals=refusals, covers=covers))
    except (JournalRulesError, KeyError, TypeError, ValueError) as exc:
        failures.append(f"step failed: {exc}")
    report: AuditReport | None = None
    expect = case.get("expect") or {}
    # An expectation under a misspelt key would silently check nothing: refuse it.
    failures.extend(f"unknown key {key!r} in the case" for key in case
                    if key not in _CASE_KEYS)
    failures.extend(f"unknown expectation {key!r}; one of {', '.join(_EXPECT_KEYS)}"
                    for key in expect if key not in _EXPECT_KEYS)
    if "as_of" in case:
        report = audit(store, ruleset, _day(case["as_of"]))
        failures.extend(_check_report(report, expect, covers))
    elif expect:
        failures.append("expectations on findings need an as_of date")
    return CaseResult(file, name, not failures, tuple(failures), frozenset(covers), report,
                      tuple(refusals))


def _step(book: Gradebook, clock: ManualClock, step: Mapping[str, Any], n: int, *,
          refusals: list[Refusal], covers: set[str]) -> list[str]:
    if "at" in step:
        clock.set(_moment(step["at"]))
    actor = str(step.get("actor", ""))
    if "record" in step:
        raw = step["record"]
        stream = raw.get("stream") or journal_stream(str(raw["journal"]))
        occurred = raw.get("occurred_on")
        EventLog(book.store).append(stream, [NewEvent(
            str(raw["type"]), actor, clock.now(), None if occurred is None else _day(occurred),
            raw.get("reason"), _json(dict(raw.get("data", {}))))])
        book.refresh()
        return []
    action = str(step.get("do", ""))
    cls = COMMANDS.get(action)
    if cls is None:
        return [f"step {n}: unknown action {action!r}"]
    try:
        command = _cases_converter.structure(dict(step.get("with", {})), cls)
    except Exception as exc:  # cattrs raises groups of anything: say which field instead
        return [f"step {n} ({action}): {p.path or 'with'}: {p.message}"
                for p in problems_of(exc, "with")]
    expected = step.get("refused")
    invalid = step.get("invalid")
    try:
        book.execute(actor, command)
    except InvalidInput as exc:
        # `invalid: <field>`: the command is bad data naming that field, and changes nothing.
        paths = [p.path or "" for p in exc.problems]
        if invalid is None:
            return [f"step {n} ({action}) is invalid unexpectedly: {exc}"]
        if not any(p == str(invalid) or p.startswith(f"{invalid}.") for p in paths):
            return [f"step {n} ({action}) invalid at {paths}, expected {invalid!r}"]
        return []
    except CommandRefused as exc:
        refusals.extend(exc.refusals)
        ids = {r.rule_id for r in exc.refusals}
        covers.update(ids)
        if expected is None or expected is False:
            return [f"step {n} ({action}) refused unexpectedly: {exc}"]
        if expected is not True and str(expected) not in ids:
            return [f"step {n} ({action}) refused by {sorted(ids)}, expected {expected!r}"]
        return []
    if invalid is not None:
        return [f"step {n} ({action}) was accepted; expected it invalid at {invalid!r}"]
    if expected not in (None, False):
        covers.add(str(expected))
        return [f"step {n} ({action}) was allowed; expected refusal by {expected!r}"]
    return []


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _matches(finding: Finding, want: Mapping[str, Any]) -> bool:
    fields = {"rule": finding.rule_id, "kind": finding.kind, "journal": finding.journal,
              "control": finding.control, "subject": finding.subject,
              "person": finding.person, "department": finding.department,
              "due": None if finding.due is None else finding.due.isoformat(),
              "severity": finding.severity}
    for key, value in want.items():
        if key == "responsible":
            if str(value) not in finding.responsible:
                return False
        elif key == "facts":
            # `facts: {name: value}`: what the finding reports (a list compares item by item).
            if not isinstance(value, Mapping) or not all(
                    _same(finding.facts.get(str(k)), v) for k, v in value.items()):
                return False
        elif key not in fields or str(fields[key]) != str(value):
            return False
    return True


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, list) or isinstance(got, list | tuple):
        return isinstance(want, list) and isinstance(got, list | tuple) and \
            [str(x) for x in got] == [str(x) for x in want]
    return str(got) == str(want)


def _want(item: Any) -> dict[str, Any]:
    return {"rule": item} if isinstance(item, str) else dict(item)


def _check_report(report: AuditReport, expect: Mapping[str, Any], covers: set[str]
                  ) -> list[str]:
    failures: list[str] = []
    # Register entries (kind: register) are expected like findings: they are what the audit
    # reports, in their own list.
    reported = (*report.findings, *report.register)
    for item in expect.get("findings", []):
        want = _want(item)
        covers.add(str(want.get("rule")))
        if not any(_matches(f, want) for f in reported):
            got = sorted({f"{f.rule_id}/{f.kind}/{f.subject}/{f.control}"
                          for f in reported if f.rule_id == want.get("rule")})
            failures.append(f"expected finding {want}; found of that rule: {got or 'none'}")
    for item in expect.get("absent", []):
        want = _want(item)
        covers.add(str(want.get("rule")))
        hits = [f for f in reported if _matches(f, want)]
        if hits:
            failures.append(f"expected no finding {want}; found: "
                            + "; ".join(f.message("en") for f in hits[:3]))
    for item in expect.get("sanctions", []):
        want = dict(item)
        covers.add(str(want.get("rule")))
        if not any(all(str(_sanction_field(s, k)) == str(v) for k, v in want.items())
                   for s in report.sanctions):
            got = [f"{s.rule_id}/{s.subject}/{s.count}/{s.sanction}" for s in report.sanctions]
            failures.append(f"expected sanction {want}; found: {got or 'none'}")
    for item in expect.get("no_sanctions", []):
        want = _want(item)
        covers.add(str(want.get("rule")))
        if any(all(str(_sanction_field(s, k)) == str(v) for k, v in want.items())
               for s in report.sanctions):
            failures.append(f"expected no sanction {want}")
    return failures


def _sanction_field(s: Any, key: str) -> Any:
    return {"rule": s.rule_id, "subject": s.subject, "count": s.count, "sanction": s.sanction,
            "against": s.against, "responsible": ",".join(s.responsible)}.get(key)


def summary(results: Sequence[CaseResult]) -> str:
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"


# --- worlds: what exists before a case's first step ---------------------------------------------

#: The worlds shipped with the library (``empty``, ``demo-faculty``, ``demo-term``): YAML data
#: of the testing kit, found by path so the case runner imports no test code.
BUNDLED_WORLDS = Path(__file__).resolve().parents[1] / "testing" / "worlds"
_WORLD_KEYS = ("world", "clock", "steps")
_WORLD_STEP_KEYS = ("at", "actor", "do", "with", "record")
_WORLD_DEPTH = 16  # bases of bases: more is surely a mistake (and a cycle is caught before)


class UnknownWorld(InvalidInput):
    """A world named neither a bundled world nor an existing file, or a world that is its own
    base: the file naming it reports it at its line."""


@attrs.frozen
class World:
    """A world file loaded and checked: where the clock starts, its base world (played first)
    and its own steps, each with the file:line it came from."""

    name: str
    file: str
    clock: datetime
    base: World | None
    own_steps: tuple[Mapping[str, Any], ...]
    lines: tuple[int | None, ...]

    def steps(self) -> Iterator[tuple[World, int, Mapping[str, Any]]]:
        """Every step to play, the base world's first: (world, index, step)."""
        if self.base is not None:
            yield from self.base.steps()
        for n, step in enumerate(self.own_steps):
            yield self, n, step


def bundled_worlds() -> dict[str, Path]:
    """The worlds shipped with the library, by name (file name without ``.yaml``)."""
    return {p.stem: p for p in sorted(BUNDLED_WORLDS.glob("*.yaml"))}


def load_world(name: str | Path, beside: Path | None = None) -> World:
    """A world by bundled name (``demo-faculty``) or by file (``my-world.yaml``, relative to
    ``beside``, the folder of the file naming it). The file is checked as a whole, like a case
    file: unknown keys, commands, fields, event types and streams are errors at file:line."""
    return _load_world(name, beside, ())


def _world_path(name: str | Path, beside: Path | None) -> Path:
    text = str(name)
    if isinstance(name, Path) or text.endswith((".yaml", ".yml")) or "/" in text \
            or os.sep in text:
        path = Path(text)
        if not path.is_absolute() and beside is not None:
            path = beside / path
        if not path.is_file():
            raise UnknownWorld(text, [Problem(f"no world file {text!r}"
                                              + (f" in {beside}" if beside else ""))])
        return path
    bundled = bundled_worlds()
    if text not in bundled:
        raise UnknownWorld(text, [Problem(
            f"unknown world {text!r}; bundled: {', '.join(bundled)}, or a file name ending "
            "in .yaml", suggestion=suggest(text, set(bundled)))])
    return bundled[text]


_loaded: dict[tuple[str, int, int], World] = {}


def _load_world(name: str | Path, beside: Path | None, seen: tuple[str, ...]) -> World:
    path = _world_path(name, beside).resolve()
    if str(path) in seen or len(seen) > _WORLD_DEPTH:
        raise UnknownWorld(str(path), [Problem(
            "the world is its own base: " + " -> ".join((*seen, str(path))), path="world")])
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _loaded:  # a world is read once per change of its file, not once per case
        return _loaded[key]
    located = read_located(path)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise InvalidInput(str(path), located.locate([Problem(
            "a world file maps `steps` to a list of steps (and may name its base `world` and "
            "its `clock`)")]))
    problems = _unknown(data, _WORLD_KEYS, "", "world key")
    problems = [Problem(p.message, path=p.path.lstrip("."), suggestion=p.suggestion)
                for p in problems]
    for n, step in enumerate(data.get("steps") or []):
        where = f"steps[{n}]"
        found = _step_problems(step, where)
        if isinstance(step, Mapping):
            # A world's steps must all pass: expecting a refusal or bad data makes no sense.
            found = [p for p in found if p.path not in (f"{where}.refused", f"{where}.invalid")]
            found += [Problem(f"a world's step must pass; {key!r} belongs in a test case",
                              path=f"{where}.{key}") for key in ("refused", "invalid")
                      if key in step]
        problems.extend(found)
    clock: datetime | None = None
    if "clock" in data:
        try:
            clock = _moment(data["clock"])
        except (TypeError, ValueError):
            problems.append(Problem(f"the clock {data['clock']!r} is not a moment "
                                    "(2025-08-20T09:00:00+05:00)", path="clock"))
    elif "world" not in data:
        problems.append(Problem("a world names its base `world` or where its `clock` starts"))
    base: World | None = None
    if "world" in data:
        try:
            base = _load_world(str(data["world"]), path.parent, (*seen, str(path)))
        except UnknownWorld as exc:
            problems.append(Problem(exc.problems[0].message, path="world",
                                    suggestion=exc.problems[0].suggestion))
    if problems:
        raise InvalidInput(str(path), located.locate(problems))
    start = clock if clock is not None else base.clock if base is not None else None
    assert start is not None  # one of them, or a problem above
    steps = tuple(data.get("steps") or ())
    world = World(str(name), str(path), start, base, steps,
                  tuple(located.line_of(f"steps[{n}]") for n in range(len(steps))))
    _loaded[key] = world
    return world


def play_world(book: Gradebook, clock: ManualClock, world: World | str, *,
               with_base: bool = True) -> None:
    """Record a world's steps through ``book`` (its base world's first, unless ``with_base`` is
    false). A step that does not pass is an error at the world file's line."""
    world = world if isinstance(world, World) else load_world(world)
    steps = world.steps() if with_base else ((world, n, s) for n, s in enumerate(world.own_steps))
    for owner, n, step in steps:
        try:
            failures = _step(book, clock, step, n + 1, refusals=[], covers=set())
        except (JournalRulesError, KeyError, TypeError, ValueError) as exc:
            failures = [f"step {n + 1} failed: {exc}"]
        if failures:
            raise InvalidInput(owner.file, [Problem(
                f"the world's step did not pass: {failure}", path=f"steps[{n}]",
                file=owner.file, line=owner.lines[n]) for failure in failures])


def build_world(book: Gradebook, clock: ManualClock, world: World | str) -> None:
    """Record what exists before a case's first step (see :func:`play_world`)."""
    play_world(book, clock, world)
