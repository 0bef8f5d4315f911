"""Rulesets: YAML files of policy, loaded into typed data and validated eagerly.

A ruleset carries its metadata (id, edition, approving order, dates in force, ``extends``), the
core policy (roles, permissions, lifecycle, visas, mark rules), the calendar, named parameters and
the rules the engine evaluates. Loading structures the file section by section and rule by rule,
then runs every semantic check on whatever structured, so that every error is reported at once
with file, line, field and the nearest valid name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ._actions import ACTIONS, SCOPES
from ._convert import FieldError, bounds_problems, converter, problems_of, register_aliases
from ._decision import LANGUAGES, Language, Messages, Names, RulesetRef
from ._errors import InvalidInput, Problem, suggest
from ._grading._policy import Grading
from ._policy import (
    FutureMarks,
    Lifecycle,
    MarkRules,
    Permission,
    Policy,
    ReasonRule,
    Transition,
    Visas,
)
from ._rules._calendar import WEEKDAYS, Calendar, CalendarSpec
from ._rules.kinds import RULE_KINDS, RuleBase, RuleContext, rule_problems
from ._storage import canonical_json
from ._templates import template_problems
from ._yaml import LocatedYaml, load_located, read_located

register_aliases(Transition, source="from", target="to")


@attrs.frozen
class ApprovingOrder:
    number: str
    date: date
    by: str | None = None


@attrs.frozen
class InForce:
    """When an edition is in force: from ``starts`` (written ``from``) to ``ends`` (written
    ``until``, the last day; none: until a later edition takes over)."""

    starts: date
    ends: date | None = None

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


register_aliases(InForce, starts="from", ends="until")


@attrs.frozen
class RulesetMeta:
    """Who approved the ruleset and when it holds; ``behavioural_clauses`` are the SOP clauses
    that prescribe behaviour, which ``rules coverage`` expects rules and test cases for."""

    id: str
    title: Messages
    edition: str
    approved_by: ApprovingOrder
    in_force: InForce
    extends: str | None = None
    behavioural_clauses: tuple[str, ...] = ()
    # The language its messages are shown in unless the caller asks for another (ru, kk, en).
    language: str = "en"


@attrs.frozen
class Parameter:
    """A named choice of the ruleset (where the SOP is ambiguous or a number may change): its
    value, why that default, and the clauses it concerns. Rules refer to it as ``$name``."""

    value: Any
    doc: str | Messages
    clauses: tuple[str, ...] = ()

    def doc_in(self, lang: Language) -> str:
        """The parameter's documentation in ``lang`` (a plain string reads the same in all)."""
        return self.doc if isinstance(self.doc, str) else self.doc.get(lang)


@attrs.frozen
class RulesetDocument:
    """The file format: one attribute per top-level section."""

    ruleset: RulesetMeta
    roles: Mapping[str, Messages]
    permissions: tuple[Permission, ...]
    lifecycle: Lifecycle
    visas: Visas
    marks: MarkRules
    reasons: ReasonRule
    unknown_actor: Messages
    future_marks: FutureMarks
    actions: Mapping[str, Messages] = attrs.field(factory=dict)
    calendar: CalendarSpec = attrs.field(factory=CalendarSpec)
    parameters: Mapping[str, Parameter] = attrs.field(factory=dict)
    rules: tuple[RuleBase, ...] = ()
    grading: Grading | None = None


@attrs.frozen
class Ruleset:
    """A loaded, validated ruleset."""

    meta: RulesetMeta
    policy: Policy
    content_hash: str
    source: str
    calendar: CalendarSpec = attrs.field(factory=CalendarSpec)
    parameters: Mapping[str, Parameter] = attrs.field(factory=dict)
    rules: tuple[RuleBase, ...] = ()
    grading: Grading | None = None

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def language(self) -> Language:
        """The language messages are shown in by default (``ruleset.language``)."""
        lang = self.meta.language
        return lang if lang in LANGUAGES else "en"

    def names(self) -> Names:
        """What roles, actions and states are called, for rendering messages."""
        return self.policy.names()

    @property
    def ref(self) -> RulesetRef:
        return RulesetRef(self.meta.id, self.meta.edition, self.content_hash)

    def rule(self, rule_id: str) -> RuleBase:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _ruleset_of(doc: RulesetDocument, digest: str, source: str) -> Ruleset:
    return Ruleset(doc.ruleset, _policy_of(doc), digest, source, calendar=doc.calendar,
                   parameters=doc.parameters, rules=doc.rules, grading=doc.grading)


def _policy_of(doc: RulesetDocument) -> Policy:
    return Policy(roles=doc.roles, permissions=doc.permissions, lifecycle=doc.lifecycle,
                  visas=doc.visas, marks=doc.marks, reasons=doc.reasons,
                  unknown_actor=doc.unknown_actor, future_marks=doc.future_marks,
                  tz=Calendar(doc.calendar).tz, actions=doc.actions)


# --- structuring: a strict converter for files --------------------------------------------------

_files = converter.copy()


#: No number in a ruleset is larger than this (a field may declare tighter bounds): beyond it a
#: value is a typo or an attack, and arithmetic or day counting on it could run for ever.
MAX_RULESET_NUMBER = 1_000_000


def _strict_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    if abs(value) > MAX_RULESET_NUMBER:
        raise ValueError(f"{value} is out of bounds (at most {MAX_RULESET_NUMBER} in size)")
    return value


def _strict_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        result = Decimal(str(value)) if len(str(value)) <= 40 else Decimal("NaN")
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not result.is_finite() or abs(result) > MAX_RULESET_NUMBER or \
            result != result.quantize(Decimal("1e-6"), rounding=ROUND_HALF_EVEN):
        raise ValueError(f"{value!r} is not a number within bounds (at most "
                         f"{MAX_RULESET_NUMBER} in size, 6 decimal places)")
    return result


def _strict_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _structure_rule(value: Any, _: Any) -> RuleBase:
    if not isinstance(value, Mapping):
        raise ValueError(f"a rule is a mapping, got {value!r}")
    kind = value.get("kind")
    if kind is None:
        raise FieldError("required field is missing", "kind")
    cls = RULE_KINDS.get(str(kind))
    if cls is None:
        raise FieldError(f"unknown rule kind {kind!r}; one of: {', '.join(sorted(RULE_KINDS))}",
                         "kind", suggest(str(kind), set(RULE_KINDS)))
    rule: RuleBase = _files.structure(value, cls)
    return rule


_files.register_structure_hook(int, _strict_int)
_files.register_structure_hook(bool, _strict_bool)
_files.register_structure_hook(Decimal, _strict_decimal)
# Exactly the base: a kind's own class is structured as the attrs class it is.
_files.register_structure_hook_func(lambda t: t is RuleBase, _structure_rule)


def _structure_doc(value: Any, _: Any) -> str | Messages:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        doc: Messages = _files.structure(value, Messages)
        return doc
    raise ValueError(f"a doc is a text or {{ru, kk, en}} texts, got {value!r}")


_files.register_structure_hook_func(lambda t: t == (str | Messages), _structure_doc)


# --- extends -------------------------------------------------------------------------------------

class _Layers:
    """Where each value of a merged ruleset came from: the extending file first, then its bases.

    ``rule_maps[n]`` maps a rule's index in the merged list to its index in layer ``n``'s file.
    """

    def __init__(self, located: LocatedYaml) -> None:
        self.layers: list[tuple[LocatedYaml, dict[int, int]]] = [(located, {})]

    @property
    def file(self) -> str:
        return self.layers[0][0].file

    def locate(self, problems: list[Problem]) -> list[Problem]:
        out: list[Problem] = []
        for p in problems:
            file, line = self._where(p.path)
            out.append(Problem(p.message, path=p.path, file=p.file or file,
                               line=p.line if p.line is not None else line, row=p.row,
                               column=p.column, suggestion=p.suggestion))
        return out

    def _where(self, path: str) -> tuple[str, int | None]:
        for located, rule_map in self.layers:
            local = path
            match = re.match(r"rules\[(\d+)\](.*)", path)
            if match and rule_map:
                index = rule_map.get(int(match.group(1)))
                if index is None:
                    continue
                local = f"rules[{index}]{match.group(2)}"
            probe = local
            while probe:
                if probe in located.lines:
                    return located.file, located.lines[probe]
                cut = max(probe.rfind("."), probe.rfind("["))
                probe = probe[:cut] if cut > 0 else ""
        first = self.layers[0][0]
        return first.file, first.lines.get("")


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if key == "rules" and isinstance(value, list) and isinstance(base.get(key), list):
                merged[key] = _merge_rules(base[key], value)[0]
            else:
                merged[key] = _deep_merge(base.get(key), value) if key in base else value
        return merged
    return override


def _merge_rules(base: list[Any], override: list[Any]) -> tuple[list[Any], dict[int, int],
                                                                  dict[int, int]]:
    """Merge rules by id; return the list and, per merged index, the index in base / override."""
    merged = list(base)
    from_base = {i: i for i in range(len(base))}
    from_override: dict[int, int] = {}
    index_of = {r.get("id"): i for i, r in enumerate(base) if isinstance(r, dict)}
    for j, rule in enumerate(override):
        rid = rule.get("id") if isinstance(rule, dict) else None
        if rid is not None and rid in index_of:
            i = index_of[rid]
            merged[i] = _deep_merge(base[i], rule)
            from_override[i] = j
        else:
            from_override[len(merged)] = j
            merged.append(rule)
    return merged, from_base, from_override


def _find_base(name: str, located: LocatedYaml, allowed: tuple[Path, ...]) -> Path | None:
    """The file ``extends: name`` means: a file beside this one (``name`` or ``name.yaml``, a bare
    file name), a bundled ruleset, or a path inside one of the ``allowed`` folders. Nothing else:
    a ruleset must not pull in an arbitrary file of the machine it is loaded on."""
    here = Path(located.file).parent.resolve()
    folders = (here, *(Path(a).resolve() for a in allowed))
    plain = name not in ("", ".", "..") and Path(name).name == name and "\\" not in name
    for folder in folders:
        if not plain and folder == here:
            continue
        for candidate in (folder / name, folder / f"{name}.yaml"):
            resolved = candidate.resolve()
            if resolved.is_file() and resolved.is_relative_to(folder):
                return resolved
    bundled = bundled_rulesets().get(name)
    return None if bundled is None else bundled.resolve()


def _resolve(located: LocatedYaml, chain: tuple[str, ...],
             allowed: tuple[Path, ...] = ()) -> tuple[Any, _Layers]:
    """The file's data with its bases merged in (recursively), and where each value came from."""
    layers = _Layers(located)
    data = located.data
    meta = data.get("ruleset") if isinstance(data, dict) else None
    base_name = meta.get("extends") if isinstance(meta, dict) else None
    if not base_name:
        return data, layers
    path = _find_base(str(base_name), located, allowed)
    if path is None:
        raise InvalidInput(located.file, located.locate([Problem(
            f"unknown base ruleset {base_name!r}: no such file beside this one and no bundled "
            "ruleset of that name (a base elsewhere must be allowed with extends_from)",
            path="ruleset.extends",
            suggestion=suggest(str(base_name), set(bundled_rulesets())))]))
    if str(path) in chain:
        cycle = " -> ".join([*chain, str(path)])
        raise InvalidInput(located.file, located.locate([Problem(
            f"extends forms a cycle: {cycle}", path="ruleset.extends")]))
    base_located = read_located(path)
    base_data, base_layers = _resolve(base_located, (*chain, str(path)), allowed)
    if not isinstance(base_data, dict):
        raise InvalidInput(str(path), [Problem("a ruleset is a mapping", file=str(path))])
    merged = _deep_merge(base_data, data)
    rule_maps: tuple[dict[int, int], dict[int, int]] = ({}, {})
    if isinstance(base_data.get("rules"), list) and isinstance(data.get("rules"), list):
        _, from_base, from_override = _merge_rules(base_data["rules"], data["rules"])
        rule_maps = (from_override, from_base)
    elif isinstance(base_data.get("rules"), list):
        rule_maps = ({-1: -1}, {i: i for i in range(len(base_data["rules"]))})
    layers.layers = [(located, rule_maps[0])]
    for base_loc, base_map in base_layers.layers:
        composed = {m: base_map.get(b, b) if base_map else b for m, b in rule_maps[1].items()}
        layers.layers.append((base_loc, composed))
    return merged, layers


# --- parameters ----------------------------------------------------------------------------------

_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def _substitute(value: Any, params: Mapping[str, Any], path: str,
                problems: list[Problem], used: dict[str, str]) -> Any:
    """``value`` with every ``$name`` replaced by its parameter's value; ``used`` records which
    path took which parameter, so a wrong value is reported where the parameter is written."""
    if isinstance(value, str):
        match = _REF.match(value)
        if match is None:
            return value
        name = match.group(1)
        param = params.get(name)
        if not isinstance(param, dict) or "value" not in param:
            problems.append(Problem(f"unknown parameter ${name}", path=path,
                                    suggestion=suggest(name, set(params))))
            return value
        used[path] = name
        return param["value"]
    if isinstance(value, dict):
        return {k: _substitute(v, params, f"{path}.{k}" if path else str(k), problems, used)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params, f"{path}[{i}]", problems, used)
                for i, v in enumerate(value)]
    return value


def _blame_parameters(problems: list[Problem], used: Mapping[str, str]) -> list[Problem]:
    """A problem with a value that came from ``$name`` names the parameter's own line."""
    out: list[Problem] = []
    for p in problems:
        name = used.get(p.path)
        if name is None:
            out.append(p)
            continue
        out.append(Problem(f"parameter ${name} (used at {p.path}): {p.message}",
                           path=f"parameters.{name}.value", file=p.file, line=p.line,
                           row=p.row, column=p.column, suggestion=p.suggestion))
    return out


# --- loading -------------------------------------------------------------------------------------

def ruleset_from_located(located: LocatedYaml, _chain: tuple[str, ...] = (), *,
                         extends_from: tuple[str | Path, ...] = ()) -> Ruleset:
    """Structure and validate parsed YAML; every problem at once, each with its file and line.
    ``extends_from``: folders besides the file's own where ``extends`` may find a base."""
    if not isinstance(located.data, dict):
        raise InvalidInput(located.file, located.locate([Problem("a ruleset is a mapping")]))
    chain = _chain or (str(Path(located.file).resolve()),)
    data, layers = _resolve(located, chain, tuple(Path(a) for a in extends_from))
    problems: list[Problem] = []
    raw_params = data.get("parameters") or {}
    params = raw_params if isinstance(raw_params, dict) else {}
    used: dict[str, str] = {}
    data = {k: v if k == "parameters" else _substitute(v, params, str(k), problems, used)
            for k, v in data.items()}

    values = _structure_sections(data, problems)
    problems.extend(_section_problems(values, data))
    if problems:
        raise InvalidInput(layers.file, layers.locate(_blame_parameters(problems, used)))
    doc = RulesetDocument(**values)
    digest = hashlib.sha256(canonical_json(_jsonable(data)).encode("utf-8")).hexdigest()
    return _ruleset_of(doc, digest, located.file)


def _structure_sections(data: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Each known section structured into its class; unknown, missing and malformed sections
    are added to ``problems``."""
    fields = {a.name: a for a in attrs.fields(attrs.resolve_types(RulesetDocument))}
    values: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            problems.append(Problem(f"unknown section {key!r}", path=str(key),
                                    suggestion=suggest(str(key), set(fields))))
    for name, field in fields.items():
        if name not in data:
            if field.default is attrs.NOTHING:
                problems.append(Problem(f"required section {name!r} is missing", path=""))
            continue
        if name == "rules":
            values[name] = _structure_rules(data[name], problems)
            continue
        try:
            values[name] = _files.structure(data[name], field.type or object)
        except Exception as exc:
            problems.extend(problems_of(exc, name))
    return values


def _section_problems(values: dict[str, Any], data: dict[str, Any]) -> list[Problem]:
    """What is wrong across the structured sections: the policy, actions, language, rules,
    messages, bounds, grading and calendar."""
    problems: list[Problem] = []
    policy_sections = ("roles", "permissions", "lifecycle", "visas", "marks", "reasons",
                       "unknown_actor", "future_marks")
    roles = set(values.get("roles", {}))
    if all(s in values for s in policy_sections):
        problems.extend(Policy(**{s: values[s] for s in policy_sections},
                               actions=values.get("actions", {})).problems())
    for act in values.get("actions", {}):
        if act not in ACTIONS:
            problems.append(Problem(f"unknown action {act!r}", path=f"actions.{act}",
                                    suggestion=suggest(act, ACTIONS)))
    meta = values.get("ruleset")
    if meta is not None and meta.in_force.ends is not None \
            and meta.in_force.ends < meta.in_force.starts:
        problems.append(Problem(f"in force until {meta.in_force.ends}, before it is in force "
                                f"from {meta.in_force.starts}", path="ruleset.in_force.until"))
    if meta is not None and meta.language not in LANGUAGES:
        problems.append(Problem(f"unknown language {meta.language!r}; one of "
                                f"{', '.join(LANGUAGES)}", path="ruleset.language",
                                suggestion=suggest(meta.language, set(LANGUAGES))))
    problems.extend(_rules_problems(values.get("rules", ()), data.get("rules"), roles,
                                    "roles" in values))
    problems.extend(_message_problems(values, data.get("rules")))
    problems.extend(_bounds(values, data.get("rules")))
    grading = values.get("grading")
    if grading is not None and "roles" in values and "marks" in values:
        problems.extend(grading.problems(values["roles"], values["marks"].codes))
    if "calendar" in values:
        problems.extend(_calendar_problems(values["calendar"]))
    return problems


def _structure_rules(raw: Any, problems: list[Problem]) -> tuple[RuleBase, ...]:
    if not isinstance(raw, list):
        problems.append(Problem("rules is a list of rules", path="rules"))
        return ()
    out: list[RuleBase] = []
    for i, item in enumerate(raw):
        try:
            out.append(_files.structure(item, RuleBase))
        except Exception as exc:
            problems.extend(problems_of(exc, f"rules[{i}]"))
    return tuple(out)


def _rules_problems(rules: tuple[RuleBase, ...], raw: Any, roles: set[str],
                    roles_known: bool) -> list[Problem]:
    out: list[Problem] = []
    index = {r.get("id"): i for i, r in enumerate(raw or []) if isinstance(r, dict)}
    # Rules that failed to structure still exist: references to them are not errors too.
    ids = [r.id for r in rules] + [str(r["id"]) for r in raw or []
                                   if isinstance(r, dict) and "id" in r]
    context = RuleContext(frozenset(roles) if roles_known else frozenset(),
                          frozenset(SCOPES), frozenset(ids), frozenset(ACTIONS))
    seen: set[str] = set()
    for rule in rules:
        prefix = f"rules[{index.get(rule.id, 0)}]"
        if rule.id in seen:
            out.append(Problem(f"rule id {rule.id!r} is used twice", path=f"{prefix}.id"))
        seen.add(rule.id)
        for p in rule_problems(rule, context):
            if not roles_known and p.message.startswith("unknown role"):
                continue
            out.append(Problem(p.message, path=f"{prefix}.{p.path}" if p.path else prefix,
                               suggestion=p.suggestion))
    return out


#: The facts every refusal by the core policy carries (GuardContext.facts), and what each policy
#: section adds to them: the ``{fields}`` their messages may name.
_REFUSAL_FIELDS = frozenset({"actor", "action", "on", "at", "actor_roles", "journal", "control",
                             "state"})
_SECTION_FIELDS: dict[str, frozenset[str]] = {
    "permissions": frozenset({"roles"}),
    "lifecycle": frozenset({"allowed_in"}),
    "visas": frozenset({"visa_role", "required", "given", "missing", "given_by", "before"}),
    "marks": frozenset({"cells", "codes", "points"}),
    "reasons": frozenset(),
    "unknown_actor": frozenset(),
}


def _bounds(values: Mapping[str, Any], raw_rules: Any) -> list[Problem]:
    out: list[Problem] = []
    for name, value in values.items():
        if name != "rules":
            out += bounds_problems(value, name)
    index = {r.get("id"): i for i, r in enumerate(raw_rules or []) if isinstance(r, dict)}
    for rule in values.get("rules", ()):
        out += bounds_problems(rule, f"rules[{index.get(rule.id, 0)}]")
    return out


def _messages_of(value: Any, path: str) -> list[tuple[Messages, str]]:
    """The message templates of an attrs value: its fields holding :class:`Messages` (labels in
    mappings, such as role names, are not templates), and those of its steps."""
    out: list[tuple[Messages, str]] = []
    if not attrs.has(type(value)):
        return out
    for a in attrs.fields(type(value)):
        item = getattr(value, a.name)
        if isinstance(item, Messages):
            out.append((item, f"{path}.{a.name}"))
        elif isinstance(item, tuple):
            for j, sub in enumerate(item):
                out += _messages_of(sub, f"{path}.{a.name}[{j}]")
        elif isinstance(item, Mapping):  # a rule's phrases: templates over the same facts
            for key, sub in item.items():
                out += _messages_of(sub, f"{path}.{a.name}.{key}")
    return out


def _message_problems(values: Mapping[str, Any], raw_rules: Any) -> list[Problem]:
    """Every message template names only facts its rule or section carries (see _templates)."""
    out: list[Problem] = []
    for section, extra in _SECTION_FIELDS.items():
        value = values.get(section)
        fields = _REFUSAL_FIELDS | extra
        if isinstance(value, Messages):
            out += template_problems(value, fields, section)
            continue
        items = [(v, f"{section}[{i}]") for i, v in enumerate(value)] \
            if isinstance(value, tuple) else [(value, section)]
        for item, path in items:
            for messages, where in _messages_of(item, path):
                out += template_problems(messages, fields, where)
    index = {r.get("id"): i for i, r in enumerate(raw_rules or []) if isinstance(r, dict)}
    for rule in values.get("rules", ()):
        fields = rule.fields()  # None: the kind declares none, check the form only
        for messages, where in _messages_of(rule, f"rules[{index.get(rule.id, 0)}]"):
            out += template_problems(messages, fields, where)
    return out


def _calendar_problems(spec: CalendarSpec) -> list[Problem]:
    out: list[Problem] = []
    for i, day in enumerate(spec.weekend):
        if day not in WEEKDAYS:
            out.append(Problem(f"unknown weekday {day!r}", path=f"calendar.weekend[{i}]",
                               suggestion=suggest(day, set(WEEKDAYS))))
    if spec.days not in ("calendar", "working"):
        out.append(Problem(f"days is calendar or working, not {spec.days!r}",
                           path="calendar.days"))
    if not re.fullmatch(r"[+-]\d{2}:\d{2}", spec.utc_offset):
        out.append(Problem(f"utc_offset {spec.utc_offset!r} is not like +05:00",
                           path="calendar.utc_offset"))
    if not re.fullmatch(r"\d{2}-\d{2}", spec.academic_year_starts):
        out.append(Problem("academic_year_starts is MM-DD", path="calendar.academic_year_starts"))
    if spec.country is not None:
        import holidays  # noqa: PLC0415 - only to validate the country code

        if spec.country not in holidays.list_supported_countries():
            out.append(Problem(f"the holidays package knows no country {spec.country!r}",
                               path="calendar.country",
                               suggestion=suggest(spec.country,
                                                  set(holidays.list_supported_countries()))))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_ruleset(path: str | Path, *, extends_from: tuple[str | Path, ...] = ()) -> Ruleset:
    """Load a ruleset file; raise :class:`InvalidInput` with every problem, file and line.

    ``extends`` names a bundled ruleset or a file beside this one; a base in another folder is
    found only if that folder is listed in ``extends_from``."""
    return ruleset_from_located(read_located(path), extends_from=extends_from)


def loads_ruleset(text: str, name: str = "<ruleset>", *,
                  extends_from: tuple[str | Path, ...] = ()) -> Ruleset:
    return ruleset_from_located(load_located(text, name), extends_from=extends_from)


def bundled_rulesets() -> dict[str, Path]:
    """The rulesets shipped with the library, by id (file name without ``.yaml``)."""
    found: dict[str, Path] = {}
    candidates: list[Path] = []
    packaged = resources.files("journal_rules").joinpath("_bundled_rulesets")
    if packaged.is_dir():
        candidates.append(Path(str(packaged)))
    source_tree = Path(__file__).resolve().parents[2] / "rulesets"
    if source_tree.is_dir():  # an editable install or a checkout
        candidates.append(source_tree)
    for folder in candidates:
        for file in sorted(folder.glob("*.yaml")):
            found.setdefault(file.stem, file)
    return found


DEFAULT_RULESET = "kaznmu-sop-2021"


def default_ruleset() -> Ruleset:
    """The KazNMU SOP edition 1 ruleset shipped with the library."""
    path = bundled_rulesets().get(DEFAULT_RULESET)
    if path is None:
        raise InvalidInput(DEFAULT_RULESET, [Problem("the bundled ruleset is missing from this "
                                                     "installation")])
    return load_ruleset(path)
