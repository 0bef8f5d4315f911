"""``rules fmt``: a ruleset rewritten in canonical form, its comments kept.

Canonical form: the sections, the metadata and every rule's fields in one order (see
``SECTION_ORDER``, ``ORDERS`` and ``_rule_order``; messages ``ru, kk, en``; any other
object in the order of its class's fields, unknown keys last in their own order); mappings
indented by 2, list items by 4 with the dash at 2; a quoted text in double quotes; no line
wrapped (a message or a flow list on one line); no trailing spaces; one newline at the end.

A comment stays with the key it is written above (or beside). The result is read back with the
library's own YAML reader and must mean exactly what the file meant, or nothing is written.
"""

from __future__ import annotations

import io
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from journal_rules._convert import FIELD_ALIASES
from journal_rules._errors import InvalidInput, Problem
from journal_rules._ruleset import RulesetDocument
from journal_rules._yaml import load_located

from .kinds import RULE_KINDS, RuleBase

SECTION_ORDER = ("ruleset", "roles", "actions", "permissions", "lifecycle", "visas", "marks",
                 "reasons", "unknown_actor", "future_marks", "grading", "calendar",
                 "parameters", "rules")
META_ORDER = ("id", "title", "edition", "language", "extends", "approved_by", "in_force",
              "behavioural_clauses")
RULE_HEAD = ("id", "kind", "clauses", "description")
RULE_TAIL = ("severity", "responsible", "phrases", "messages", "pending", "refusal")
#: Classes whose keys read better in another order than their fields'.
ORDERS = {"Parameter": ("value", "clauses", "doc"), "Phrase": ("present", "absent"),
          "LadderStep": ("min", "max", "sanction", "messages"),
          "RulesetMeta": META_ORDER}
#: No line is wrapped: a long message stays on its line, a flow list on one line.
WIDTH = 1_000_000


@attrs.frozen
class Formatted:
    """The canonical text of a file and whether it differs from what was read."""

    file: str
    text: str
    changed: bool


def format_text(text: str, file: str = "<text>") -> str:
    """``text`` (a ruleset) in canonical form. Bad YAML, or a text the formatter could not
    rewrite without changing its meaning, is an :class:`InvalidInput` naming the file."""
    before = load_located(text, file)  # the library's bounded reader: size, depth, aliases
    rt = _yaml()
    try:
        doc = rt.load(text)
    except YAMLError as exc:
        raise InvalidInput(file, [Problem(f"not YAML: {exc}", file=file)]) from None
    if isinstance(doc, CommentedMap):
        _canonical(doc, RulesetDocument, top=True)
    out = io.StringIO()
    rt.dump(doc, out)
    result = "\n".join(line.rstrip() for line in out.getvalue().splitlines()).strip("\n") + "\n"
    after = load_located(result, file).data
    if after != before.data:
        raise InvalidInput(file, [Problem(
            "the canonical form would read differently from the file (a text YAML 1.1 reads "
            "as another type, or a block text with trailing spaces): quote the text", file=file,
            path=_first_difference(before.data, after))])
    return result


def format_file(path: Path, *, write: bool) -> Formatted:
    """Format one file; with ``write``, replace it (atomically) when it changes."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(str(path), [Problem(f"cannot read: {exc}", file=str(path))]
                           ) from None
    result = format_text(text, str(path))
    changed = result != text
    if changed and write:
        temporary = path.with_name(f".{path.name}.fmt.tmp")
        temporary.write_text(result, encoding="utf-8")
        temporary.replace(path)
    return Formatted(str(path), result, changed)


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = WIDTH
    # `null` written out: a bare `key:` reads the same but looks like a value left out.
    rt.representer.add_representer(type(None), lambda r, _: r.represent_scalar(
        "tag:yaml.org,2002:null", "null"))
    return rt


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in (*a, *(k for k in b if k not in a)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}" if path
                                         else str(key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return path


# --- key order ------------------------------------------------------------------------------------

def _fields(cls: type) -> list[str]:
    aliases = FIELD_ALIASES.get(cls, {})
    return [aliases.get(a.name, a.name) for a in attrs.fields(cls)]


def _rule_order(kind: Any) -> list[str]:
    cls = RULE_KINDS.get(str(kind))
    own = [] if cls is None else [f for f in _fields(cls) if f not in (*RULE_HEAD, *RULE_TAIL)]
    return [*RULE_HEAD, *own, *RULE_TAIL]


def _order(cls: type, node: CommentedMap, *, top: bool) -> list[str]:
    if top:
        return list(SECTION_ORDER)
    if cls is RuleBase or cls in RULE_KINDS.values():
        return _rule_order(node.get("kind"))
    if cls.__name__ in ORDERS:
        return list(ORDERS[cls.__name__])
    return _fields(cls)


def _pick(tp: Any, node: Any) -> Any:
    """The type ``node`` is written as: a rule's kind, or the one of a union it fits."""
    if tp is RuleBase:  # a rule of an extending ruleset may leave out its kind
        return RULE_KINDS.get(str(node.get("kind")), RuleBase) if isinstance(node, Mapping) \
            else RuleBase
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return tp
    args = typing.get_args(tp)
    if isinstance(node, Mapping):
        return next((a for a in args if attrs.has(a)), Any)
    if isinstance(node, list):
        return next((a for a in args if typing.get_origin(a) is tuple), Any)
    return Any


def _canonical(node: Any, tp: Any, *, top: bool = False) -> None:
    """Put ``node``'s keys in canonical order (recursively), keeping each comment above the key
    it was written above; texts quoted in single quotes get double quotes."""
    tp = _pick(tp, node)
    origin = typing.get_origin(tp)
    if isinstance(node, CommentedSeq):
        item = typing.get_args(tp)[0] if origin is tuple and typing.get_args(tp) else Any
        for i, value in enumerate(node):
            node[i] = _quoted(value)
            _canonical(node[i], item)
        return
    if not isinstance(node, CommentedMap):
        return
    if attrs.has(tp):
        hints = typing.get_type_hints(tp) if attrs.has(tp) else {}
        names = {v: k for k, v in FIELD_ALIASES.get(tp, {}).items()}
        _reorder(node, _order(tp, node, top=top))
        for key in node:
            node[key] = _quoted(node[key])
            _canonical(node[key], hints.get(names.get(str(key), str(key)), Any))
            _lead_comment(node, key)
        return
    value_type = typing.get_args(tp)[1] if origin in (Mapping, dict) and typing.get_args(tp) \
        else Any
    for key in node:
        node[key] = _quoted(node[key])
        _canonical(node[key], value_type)
        _lead_comment(node, key)


def _lead_comment(node: CommentedMap, key: Any) -> None:
    """A comment above the first key of ``node[key]`` is written from the parent's entry of
    ``key`` when it has one: keep the two the same (as ruamel.yaml does when it reads one)."""
    child = node[key]
    entry = node.ca.items.get(key)
    if isinstance(child, CommentedMap | CommentedSeq) and entry is not None \
            and child.ca.comment is not None and child.ca.comment[1]:
        entry[3] = child.ca.comment[1]


def _quoted(value: Any) -> Any:
    if isinstance(value, SingleQuotedScalarString):
        return DoubleQuotedScalarString(str(value))
    return value


def _reorder(node: CommentedMap, order: list[str]) -> None:
    keys = list(node)
    rank = {k: i for i, k in enumerate(order)}
    wanted = sorted(keys, key=lambda k: (rank.get(str(k), len(order)), keys.index(k)))
    if wanted == keys:
        return
    # A comment written above a key is stored after the value before it: detach it first, so
    # it moves with the key it describes; the comments after the last key stay last.
    above: dict[Any, str] = {}
    tail = ""
    for i, key in enumerate(keys):
        slot = _trailing(node, key)
        if slot is None:
            continue
        token = slot[0][slot[1]]
        first, newline, rest = str(token.value).partition("\n")
        if not rest:
            continue
        token.value = first + newline
        if i + 1 < len(keys):
            above[keys[i + 1]] = rest
        else:
            tail = rest
    for key in wanted:
        node.move_to_end(key)
    for key, text in above.items():
        entry = node.ca.items.setdefault(key, [None, None, None, None])
        entry[1] = [CommentToken(text, CommentMark(0), None), *(entry[1] or [])]
    first = node.ca.items.get(wanted[0])
    if first is not None and first[1]:
        # Above the mapping's first key is the mapping's own comment (a key's comment there
        # would be written after the dash of a list item).
        if node.ca.comment is None:
            node.ca.comment = [None, []]
        node.ca.comment[1] = [*(node.ca.comment[1] or []), *first[1]]
        first[1] = None
    if tail:
        slot = _trailing(node, wanted[-1], create=True)
        if slot is not None:
            token = slot[0][slot[1]]
            token.value = str(token.value) + tail


def _trailing(node: CommentedMap | CommentedSeq, key: Any, *, create: bool = False
              ) -> tuple[list[Any], int] | None:
    """Where the comments after ``node[key]`` (its last line) are kept: the comment slot of the
    deepest last entry of a block collection, else the key's own."""
    value = node[key]
    block = not getattr(getattr(value, "fa", None), "_flow_style", False)
    if isinstance(value, CommentedMap) and len(value) and block:
        return _trailing(value, list(value)[-1], create=create)
    if isinstance(value, CommentedSeq) and len(value) and block:
        return _trailing(value, len(value) - 1, create=create)
    index = 2 if isinstance(node, CommentedMap) else 0
    entry = node.ca.items.get(key)
    if entry is None or entry[index] is None:
        if not create:
            return None
        entry = node.ca.items.setdefault(key, [None, None, None, None])
        entry[index] = CommentToken("\n", CommentMark(0), None)
    return entry, index

