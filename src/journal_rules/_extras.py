"""Optional dependencies: imported where used, with a message naming the extra that installs them
(``import journal_rules`` loads none of them)."""

from __future__ import annotations

import importlib
from types import ModuleType

from journal_rules._errors import JournalRulesError


class MissingExtra(JournalRulesError, ImportError):
    """A feature needs an optional dependency that is not installed."""


def import_extra(module: str, extra: str, feature: str) -> ModuleType:
    """``module``, or :class:`MissingExtra` saying ``pip install 'journal-rules[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".", maxsplit=1)[0]
        raise MissingExtra(
            f"{feature} needs {package}: pip install 'journal-rules[{extra}]'") from exc
