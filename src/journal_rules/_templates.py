"""Message templates checked at load: ``{field}`` placeholders naming facts the message will have.

A message is rendered with :meth:`str.format_map` on every refusal and finding. Anything beyond a
plain known name is refused when the ruleset loads, because at render time it would crash every
audit (``{0}``), reach into Python objects (``{a.__class__}``, ``{a[0]}``), or blow a message up to
gigabytes (``{x:>999999999}``).
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from ._decision import LANGUAGES, Messages
from ._errors import Problem, suggest

_FORMATTER = string.Formatter()


def template_problems(messages: Messages, allowed: Iterable[str] | None,
                      path: str) -> list[Problem]:
    """Problems with the placeholders of ``messages`` (each language), given the facts
    ``allowed`` (``None``: any plain name); paths are ``{path}.{lang}``."""
    known = None if allowed is None else frozenset(allowed)
    out: list[Problem] = []
    for lang in LANGUAGES:
        text = messages.get(lang)
        where = f"{path}.{lang}"
        try:
            parts = list(_FORMATTER.parse(text))
        except ValueError as exc:
            out.append(Problem(f"not a valid message template: {exc} (write a literal brace "
                               "as {{ or }})", path=where))
            continue
        for _literal, field, spec, conversion in parts:
            if field is None:
                continue
            shown = "{" + field + (f"!{conversion}" if conversion else "") + \
                (f":{spec}" if spec else "") + "}"
            if field == "" or field.isdigit():
                out.append(Problem(f"placeholder {shown}: positional fields are not allowed; "
                                   "name a fact", path=where))
            elif not field.isidentifier():
                out.append(Problem(f"placeholder {shown}: only a plain fact name is allowed "
                                   "(no attribute or index access)", path=where))
            elif conversion or spec:
                out.append(Problem(f"placeholder {shown}: conversions and format "
                                   "specifications are not allowed", path=where))
            elif known is not None and field not in known:
                out.append(Problem(f"placeholder {shown}: this message has no fact {field!r}; "
                                   f"it has: {', '.join(sorted(known)) or 'none'}", path=where,
                                   suggestion=suggest(field, known)))
    return out
