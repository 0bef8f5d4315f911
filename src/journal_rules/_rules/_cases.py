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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs
import yaml

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
from journal_rules._ruleset import (
    DEFAULT_RULESET,
    Ruleset,
    bundled_rulesets,
    default_ruleset,
    load_ruleset,
)
from journal_rules._storage import MemoryStore, NewEvent
from journal_rules._yaml import read_located

from ._audit import audit
from ._editions import (
    Editions,
    audit_editions,
    edition_ruleset,
    editions_of,
    gradebook_for_editions,
)

# The commands a step may `do`, by action (derived from the command classes).
COMMANDS = COMMANDS_BY_ACTION

_cases_converter = converter.copy()
_cases_converter.register_structure_hook(Mark, lambda v, _: v if isinstance(v, Mark)
                                         else Mark.parse(v))


@attrs.frozen
class CaseResult:
    """One case run: whether it passed, each failure (a short text; an expectation and the
    nearest finding in YAML), the rules its expectations name (``covers``) and the rules that
    produced a finding, a register entry, a sanction or a refusal in it (``fired``)."""

    file: str
    name: str
    passed: bool
    failures: tuple[str, ...] = ()
    covers: frozenset[str] = frozenset()
    report: AuditReport | None = None
    refusals: tuple[Refusal, ...] = ()
    fired: frozenset[str] = frozenset()
    seconds: float = 0.0


def rule_clauses(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """Every rule id of the ruleset (policy sections included) with its clauses."""
    policy = ruleset.policy
    out: dict[str, tuple[str, ...]] = {p.id: p.clauses for p in policy.permissions}
    for part in (policy.lifecycle, policy.visas, policy.marks, policy.reasons):
        out[part.id] = part.clauses
    out["unknown-actor"] = ("T18",)
    out[policy.future_marks.id] = policy.future_marks.clauses
    if policy.marks.once is not None:
        out[policy.marks.once.id] = policy.marks.once.clauses
    for rule in ruleset.rules:
        out[rule.id] = rule.clauses
    return out


def bundled_cases() -> Path:
    """The test cases shipped with the library (beside the bundled rulesets, in a wheel too)."""
    path = bundled_rulesets().get(DEFAULT_RULESET)
    if path is None or not (path.parent / "tests").is_dir():
        raise InvalidInput("rules test", [Problem("the bundled test cases are missing from this "
                                                  "installation; give a path")])
    return path.parent / "tests"


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


def load_cases(path: Path) -> tuple[Ruleset | Editions, World, list[dict[str, Any]]]:
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
    ruleset: Ruleset | Editions
    if isinstance(ruleset_path, list):  # editions: each step and finding by its day's edition
        ruleset = editions_of([edition_ruleset(str(name), path.parent, str(path),
                                               f"ruleset[{n}]")
                               for n, name in enumerate(ruleset_path)])
    else:
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
_FINDING_KEYS = ("rule", "clause", "kind", "journal", "control", "subject", "person",
                 "department", "due", "severity", "responsible", "facts", "edition")
_SANCTION_KEYS = ("rule", "clause", "subject", "count", "sanction", "against", "responsible")


def _unknown(keys: Any, valid: Sequence[str] | set[str], path: str, what: str) -> list[Problem]:
    """An unknown key would be silently ignored (a step not taken, an expectation that checks
    nothing): each is a problem at its path, with the nearest valid key."""
    if not isinstance(keys, Mapping):
        return [Problem(f"a mapping of {what}s is needed here", path=path)]
    return [Problem(f"unknown {what} {key!r}", path=f"{path}.{key}",
                    suggestion=suggest(str(key), set(valid)))
            for key in keys if str(key) not in valid]


def case_problems(case: Mapping[str, Any], path: str, ruleset: Ruleset | Editions
                  ) -> list[Problem]:
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
    out.extend(expectation_problems(expect, ruleset, f"{path}.expect"))
    known = {r for one in _rulesets(ruleset) for r in rule_clauses(one)}
    for n, step in enumerate(case.get("steps") or []):
        refused = step.get("refused") if isinstance(step, Mapping) else None
        if isinstance(refused, str) and refused not in known:
            out.append(Problem(f"no rule {refused!r} in the ruleset (nor a policy section)",
                               path=f"{path}.steps[{n}].refused",
                               suggestion=suggest(refused, known)))
    return out


def _rulesets(ruleset: Ruleset | Editions) -> tuple[Ruleset, ...]:
    return ruleset.rulesets if isinstance(ruleset, Editions) else (ruleset,)


def expectation_problems(expect: Mapping[str, Any], ruleset: Ruleset | Editions,
                         path: str = "expect") -> list[Problem]:
    """Unknown keys, rule ids and clauses in expectations (findings, absent, sanctions,
    no_sanctions): each would silently check nothing, so each is a problem with the nearest
    valid name."""
    out: list[Problem] = []
    # findings and sanctions come from rules only (of any edition)
    rules = {r.id for one in _rulesets(ruleset) for r in one.rules}
    clauses = {c for one in _rulesets(ruleset) for r in one.rules for c in r.clauses}
    for key, valid in (("findings", _FINDING_KEYS), ("absent", _FINDING_KEYS),
                       ("sanctions", _SANCTION_KEYS), ("no_sanctions", _SANCTION_KEYS)):
        for n, item in enumerate(expect.get(key) or []):
            where = f"{path}.{key}[{n}]"
            want = _want(item) if isinstance(item, str | Mapping) else item
            out.extend(_unknown(want, valid, where, "expectation key"))
            if not isinstance(want, Mapping):
                continue
            rule, clause = want.get("rule"), want.get("clause")
            if rule is not None and str(rule) not in rules:
                out.append(Problem(f"no rule {rule!r} in the ruleset", path=f"{where}.rule"
                                   if isinstance(item, Mapping) else where,
                                   suggestion=suggest(str(rule), rules)))
            if clause is not None and str(clause) not in clauses:
                out.append(Problem(f"no rule of the ruleset implements clause {clause!r}",
                                   path=f"{where}.clause", suggestion=suggest(str(clause),
                                                                             clauses)))
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


def run_path(path: Path | None = None, *, ruleset: Ruleset | Editions | None = None,
             keyword: str | None = None, exitfirst: bool = False) -> list[CaseResult]:
    """Run every case of a file, or of every ``*.yaml`` under a folder (``rulesets/`` folders
    inside it hold rulesets that cases refer to, not cases); without a path, the bundled cases.

    ``ruleset``: judge every case by it instead of the case file's own (what ``rules coverage``
    measures); ``keyword``: only the cases whose ``file::name`` the ``-k`` expression selects;
    ``exitfirst``: stop after the first failure."""
    selected = None if keyword is None else keyword_matcher(keyword)
    results: list[CaseResult] = []
    for file in case_files(bundled_cases() if path is None else path):
        own, world, cases = load_cases(file)
        for case in cases:
            if selected is not None and not selected(f"{file}::{case.get('name', 'case')}"):
                continue
            result = run_case(ruleset or own, world, case, str(file))
            results.append(result)
            if exitfirst and not result.passed:
                return results
    return results


def keyword_matcher(expression: str) -> Callable[[str], bool]:
    """pytest's ``-k``: words matched (case-insensitively) as substrings of a case's
    ``file::name``, combined with ``and``, ``or``, ``not`` and parentheses. A malformed
    expression is an :class:`InvalidInput`."""
    return _Keyword(expression).parse()


class _Keyword:
    """A recursive-descent reader of a ``-k`` expression."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens: list[str] = re.findall(r"\(|\)|[^\s()]+", expression)
        self.position = 0

    def fail(self, why: str) -> InvalidInput:
        return InvalidInput("-k", [Problem(f"{why} in {self.expression!r}", path="-k")])

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        if self.position >= len(self.tokens):
            raise self.fail("unexpected end")
        self.position += 1
        return self.tokens[self.position - 1]

    def parse(self) -> Callable[[str], bool]:
        if not self.tokens:
            raise self.fail("an empty expression")
        matcher = self.disjunction()
        if self.position != len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.position]!r}")
        return matcher

    def disjunction(self) -> Callable[[str], bool]:
        parts = [self.conjunction()]
        while self.peek() == "or":
            self.take()
            parts.append(self.conjunction())
        return lambda text: any(p(text) for p in parts)

    def conjunction(self) -> Callable[[str], bool]:
        parts = [self.negation()]
        while self.peek() == "and":
            self.take()
            parts.append(self.negation())
        return lambda text: all(p(text) for p in parts)

    def negation(self) -> Callable[[str], bool]:
        if self.peek() == "not":
            self.take()
            inner = self.negation()
            return lambda text: not inner(text)
        token = self.take()
        if token == "(":
            inner = self.disjunction()
            if self.take() != ")":
                raise self.fail("a ( without its )")
            return inner
        if token in (")", "and", "or"):
            raise self.fail(f"unexpected {token!r}")
        word = token.lower()
        return lambda text: word in text.lower()


_CASE_KEYS = ("name", "table", "steps", "as_of", "expect", "covers")
_EXPECT_KEYS = ("findings", "absent", "sanctions", "no_sanctions")


def run_case(ruleset: Ruleset | Editions, world: World | str, case: Mapping[str, Any],
             file: str) -> CaseResult:
    started = time.perf_counter()
    name = str(case.get("name", "case"))
    failures: list[str] = []
    covers = set(case.get("covers", []))
    world = world if isinstance(world, World) else load_world(world)
    store = MemoryStore()
    clock = ManualClock(world.clock)
    book = gradebook_for_editions(store, ruleset, clock=clock) if isinstance(ruleset, Editions) \
        else Gradebook.for_ruleset(store, ruleset, clock=clock)
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
        day = _day(case["as_of"])
        report = audit_editions(store, ruleset, day) if isinstance(ruleset, Editions) \
            else audit(store, ruleset, day)
        failures.extend(_check_report(report, expect, covers))
    elif expect:
        failures.append("expectations on findings need an as_of date")
    fired = {r.rule_id for r in refusals}
    if report is not None:
        fired.update(f.rule_id for f in (*report.findings, *report.register))
        fired.update(s.rule_id for s in report.sanctions)
    return CaseResult(file, name, not failures, tuple(failures), frozenset(covers), report,
                      tuple(refusals), frozenset(fired), time.perf_counter() - started)


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
              "severity": finding.severity,
              "edition": None if finding.ruleset is None else finding.ruleset.edition}
    for key, value in want.items():
        if key == "clause":
            if str(value) not in finding.clauses:
                return False
        elif key == "responsible":
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
        _cover(covers, want)
        if not any(_matches(f, want) for f in reported):
            near = _nearest(reported, want, _matches, _finding_view)
            failures.append(_yaml_text("expected finding", want)
                            + _yaml_text("nearest finding", near or "none"))
    for item in expect.get("absent", []):
        want = _want(item)
        _cover(covers, want)
        hits = [f for f in reported if _matches(f, want)]
        if hits:
            failures.append(_yaml_text("expected no finding", want) + _yaml_text(
                f"found ({len(hits)})", _finding_view(hits[0], want)))
    for item in expect.get("sanctions", []):
        want = _want(item)
        _cover(covers, want)
        if not any(_sanction_matches(s, want) for s in report.sanctions):
            near = _nearest(report.sanctions, want, _sanction_matches, _sanction_view)
            failures.append(_yaml_text("expected sanction", want)
                            + _yaml_text("nearest sanction", near or "none"))
    for item in expect.get("no_sanctions", []):
        want = _want(item)
        _cover(covers, want)
        punished = [s for s in report.sanctions if _sanction_matches(s, want)]
        if punished:
            failures.append(_yaml_text("expected no sanction", want)
                            + _yaml_text("found", _sanction_view(punished[0], want)))
    return failures


def _cover(covers: set[str], want: Mapping[str, Any]) -> None:
    if want.get("rule") is not None:
        covers.add(str(want["rule"]))


def _sanction_field(s: Any, key: str) -> Any:
    return {"rule": s.rule_id, "subject": s.subject, "count": s.count, "sanction": s.sanction,
            "against": s.against, "responsible": ",".join(s.responsible)}.get(key)


def _sanction_matches(s: Any, want: Mapping[str, Any]) -> bool:
    return all(str(v) in s.clauses if k == "clause" else str(_sanction_field(s, k)) == str(v)
               for k, v in want.items())


def _nearest(found: Sequence[Any], want: Mapping[str, Any],
             matches: Callable[[Any, Mapping[str, Any]], bool],
             view: Callable[[Any, Mapping[str, Any]], dict[str, Any]]) -> dict[str, Any] | None:
    """The item that matches the most of the expectation's keys (the rule's first)."""
    def score(item: Any) -> tuple[int, int]:
        return (int(matches(item, {k: v for k, v in want.items() if k in ("rule", "clause")})),
                sum(matches(item, {k: v}) for k, v in want.items()))
    best = max(found, key=score, default=None)
    return None if best is None else view(best, want)


def _finding_view(f: Finding, want: Mapping[str, Any]) -> dict[str, Any]:
    """What a failure shows of a finding: what identifies it, and whatever was expected."""
    view: dict[str, Any] = {"rule": f.rule_id, "clauses": list(f.clauses), "kind": f.kind,
                            "journal": f.journal, "control": f.control, "subject": f.subject,
                            "due": f.due, "severity": f.severity,
                            "edition": None if f.ruleset is None else f.ruleset.edition}
    for key in ("person", "department", "responsible"):
        if key in want:
            view[key] = getattr(f, key)
    if isinstance(want.get("facts"), Mapping):
        view["facts"] = {str(k): f.facts.get(str(k)) for k in want["facts"]}
    return {k: v for k, v in view.items() if v is not None}


def _sanction_view(s: Any, want: Mapping[str, Any]) -> dict[str, Any]:
    return {"rule": s.rule_id, "clauses": list(s.clauses), "subject": s.subject,
            "count": s.count, "sanction": s.sanction, "against": s.against,
            "responsible": list(s.responsible)}


def _plain(value: Any) -> Any:
    """``value`` as plain YAML data (dates stay dates, so they read unquoted)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return str(value)


def _yaml_text(title: str, value: Any) -> str:
    """``title:`` and ``value`` as YAML, one key a line, indented under it (a failure)."""
    def dump(data: Any, flow: bool | None) -> str:
        text = yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False,
                              default_flow_style=flow, width=100)
        return text.removesuffix("...\n").rstrip("\n")
    if not isinstance(value, Mapping):
        return f"{title}: {dump(value, None)}\n"
    lines = [line for key, item in value.items()
             for line in dump({key: item}, None if isinstance(item, list | tuple)
                              else False).splitlines()]
    return f"{title}:\n" + "".join(f"  {line}\n" for line in lines)


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
