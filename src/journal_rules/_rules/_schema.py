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
    """A draft 2020-12 JSON Schema of a ruleset file."""
    defs: dict[str, Any] = {}
    root = _schema(RulesetDocument, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://journal-rules.example/ruleset.schema.json",
            "title": "journal-rules ruleset", **defs[RulesetDocument.__name__],
            "$defs": {k: v for k, v in defs.items() if k != RulesetDocument.__name__},
            } if root else {}


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
        return {"enum": list(args)}
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
