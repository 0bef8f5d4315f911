"""The actions a command can perform: the mechanism's vocabulary that policies grant and order.

These names are what a ruleset's ``permissions`` and ``lifecycle`` refer to; a ruleset that names
an action not listed here is refused at load with the nearest valid name.
"""

from __future__ import annotations

# Actions on one control event of a journal (they go through the lifecycle).
JOURNAL_ACTIONS: frozenset[str] = frozenset({
    "enter_mark",
    "correct_mark",
    "hold_class",
    "hold_control",
    "close",
    "form_grade_sheet",
    "submit_note",
    "give_visa",
    "approve_note",
    "reject_note",
    "reopen",
})

# Actions on a journal as a whole, or on the registry.
REGISTRY_ACTIONS: frozenset[str] = frozenset({
    "open_journal",
    "register_substitution",
    "register_org_units",
    "register_people",
    "load_contingent",
    "load_curriculum",
    "load_calendar_plan",
    "assign_plan_uploaders",
    "set_deadline_calendar",
    "request_login",
    "issue_login",
    "record_backup",
})

ACTIONS: frozenset[str] = JOURNAL_ACTIONS | REGISTRY_ACTIONS

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
