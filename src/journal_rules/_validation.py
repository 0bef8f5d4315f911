"""Data checks on commands that do not depend on policy: ids resolve, dates are in order, the
fields a document needs are filled. Each command states its own checks (``Command.check``) with
the :class:`Checker` here; every problem is collected, none stops the others."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from ._directory import Directory
from ._errors import Problem, suggest

if TYPE_CHECKING:
    from ._commands import Command


class Checker:
    """What a command's checks see (the registry) and where they report problems."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def fail(self, message: str, path: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(message, path=path, suggestion=suggestion))

    def known(self, table: Collection[str], key: str, kind: str, path: str) -> None:
        """``key`` must be one of ``table``'s (a table of the registry, or a set of ids)."""
        if key not in table:
            self.fail(f"unknown {kind} {key!r}", path, suggest(key, set(table)))

    def academic_year(self, year: str, path: str) -> None:
        first, sep, second = year.partition("-")
        if not (sep and len(first) == len(second) == 4 and first.isdigit() and second.isdigit()
                and int(second) == int(first) + 1):
            self.fail(f"academic year {year!r} is not like 2025-2026", path)


def validate(command: Command, directory: Directory) -> list[Problem]:
    """Every data problem of ``command`` against the registry (an empty list when sound)."""
    checker = Checker(directory)
    command.check(checker)
    return checker.problems
