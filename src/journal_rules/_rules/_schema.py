"""The JSON Schema of the ruleset format, generated from the same attrs classes the loader uses."""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from journal_rules._convert import FIELD_ALIASES
from journal_rules._ruleset import RulesetDocument

from .kinds import RULE_KINDS, RuleBase


def json_schema() -> dict[str, Any]:
    """A draft 2020-12 JSON Schema of a ruleset file: a full ruleset, or one that ``extends`` a
    base and so gives only what it changes (mappings merged key by key, rules by ``id``, other
    lists replaced whole, as the loader merges them)."""
    defs: dict[str, Any] = {}
    _schema(RulesetDocument, defs)
    full = RulesetDocument.__name__
    for name in list(defs):
        defs[f"{name}{_PARTIAL}"] = _partial(defs[name])
    partial_rules = [{"$ref": f"#/$defs/{cls.__name__}{_PARTIAL}"}
                     for cls in RULE_KINDS.values()]
    extending = defs[f"{full}{_PARTIAL}"]
    extending["properties"]["rules"] = {
        "type": "array", "description": "rules merged by id into the base's: a known id "
        "changes the fields given, a new id adds a rule",
        "items": {"allOf": [{"type": "object", "required": ["id"]},
                            {"anyOf": partial_rules}]}}
    extending["description"] = ("A ruleset that extends a base: every section and field is "
                                "optional and merged into the base's.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://journal-rules.example/ruleset.schema.json",
            "title": "journal-rules ruleset",
            "description": defs[full].get("description", ""),
            "type": "object",
            "if": {"type": "object", "required": ["ruleset"],
                   "properties": {"ruleset": {"type": "object", "required": ["extends"],
                                              "properties": {"extends": {"type": "string"}}}}},
            "then": {"$ref": f"#/$defs/{full}{_PARTIAL}"},
            "else": {"$ref": f"#/$defs/{full}"},
            "$defs": defs}


_PARTIAL = "-extending"


def _partial(schema: Any, *, in_list: bool = False) -> Any:
    """``schema`` as an extending ruleset may give it: nothing required in a mapping that is
    merged into the base's; an item of a list is whole (a list replaces the base's)."""
    if isinstance(schema, list):
        return [_partial(s, in_list=in_list) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "required" and not in_list:
            continue
        if key == "$ref" and not in_list:
            out[key] = f"{value}{_PARTIAL}"
        elif key == "items":
            out[key] = value  # a list is replaced as a whole: its items are complete
        elif key in ("properties", "$defs"):
            out[key] = {k: _partial(v, in_list=in_list) for k, v in value.items()}
        else:
            out[key] = _partial(value, in_list=in_list)
    return out


_PARAM = {"type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$",
          "description": "a reference to a named parameter"}


def _or_param(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _PARAM]}


# The schema of each plain type; a ``$parameter`` may stand for a boolean or an integer.
_SCALARS: dict[Any, dict[str, Any]] = {
    Any: {},
    str: {"type": "string"},
    bool: _or_param({"type": "boolean"}),
    int: _or_param({"type": "integer"}),
    float: {"type": "number"},
    Decimal: {"type": ["number", "string"]},
    date: {"type": "string", "format": "date"},
    type(None): {"type": "null"},
}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp in _SCALARS:
        return copy.deepcopy(_SCALARS[tp])
    if origin is typing.Literal:
        return _or_param({"enum": list(args)})
    if origin in (typing.Union, types.UnionType):
        options = [_schema(a, defs) for a in args]
        return {"anyOf": options}
    if origin is tuple:
        return _or_param({"type": "array", "items": _schema(args[0], defs)})
    if origin in (Mapping, dict) or origin is typing.get_origin(Mapping[str, str]):
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    if tp is RuleBase:  # a rule is one of the registered kinds
        return {"anyOf": [_schema(kind, defs) for kind in RULE_KINDS.values()]}
    if attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placed first, so that a class that holds itself ends here
            defs[name] = _class_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    return {}


def _class_schema(tp: type, defs: dict[str, Any]) -> dict[str, Any]:
    """The object schema of one attrs class: its fields (by their YAML names), their docs and
    numeric bounds, and which are required."""
    hints = typing.get_type_hints(tp)
    aliases = FIELD_ALIASES.get(tp, {})
    props: dict[str, Any] = {}
    required: list[str] = []
    for a in attrs.fields(tp):
        key = aliases.get(a.name, a.name)
        prop = _schema(hints[a.name], defs)
        doc = a.metadata.get("doc") if a.metadata else None
        if doc:
            prop["description"] = doc
        bounds = a.metadata.get("bounds") if a.metadata else None
        if bounds is not None:  # applies to the number; a $parameter string passes
            prop["minimum"], prop["maximum"] = bounds
        props[key] = prop
        if a.default is attrs.NOTHING or a.name == "kind":
            required.append(key)
    body: dict[str, Any] = {"type": "object", "properties": props,
                            "additionalProperties": False}
    if tp.__doc__:
        body["description"] = " ".join(tp.__doc__.split())
    if required:
        body["required"] = required
    return body
