"""The actions a command can perform: the mechanism's vocabulary that policies grant and order.

These names are what a ruleset's ``permissions`` and ``lifecycle`` refer to; a ruleset that names
an action not listed here is refused at load with the nearest valid name. The lists are derived
from the command classes (each carries its action; a journal command's goes through the
lifecycle), so a rule or grant over an action no command performs cannot load.
"""

from __future__ import annotations

from ._commands import ACTIONS, JOURNAL_ACTIONS, REGISTRY_ACTIONS

__all__ = ["ACTIONS", "COMMAND_SCOPES", "JOURNAL_ACTIONS", "REGISTRY_ACTIONS", "SCOPES"]

# How a grant narrows a role to the people it concerns.
SCOPES: frozenset[str] = frozenset({
    "any",  # anyone holding the role
    "journal_teacher",  # a teacher of the journal, or its substitute on the day concerned (T13)
    "journal_department",  # a member of the department that teaches the journal
    "journal_school",  # a member of the school/faculty of the journal's group
    "group_curation",  # the dean who curates the journal's group (декан по курации)
    "unit_department",  # a member of the department of the course unit a plan is for
    "self",  # the person the action is about (a login request for oneself)
})

# Scopes that look at the command itself (the plan's course unit, the person a login request is
# for): they hold for a command at guard time only. A rule's `responsible` with one of them would
# name nobody in any finding, so `rules lint` refuses it.
COMMAND_SCOPES: frozenset[str] = frozenset({"unit_department", "self"})
