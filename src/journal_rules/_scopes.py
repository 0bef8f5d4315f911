"""Scopes: is this person within reach of this subject on this day, and who is.

A permission, a visa or a rule's ``responsible`` names a role narrowed by a scope (``any``,
``journal_teacher``, ``journal_department``, ``journal_school``, ``group_curation``,
``unit_department``, ``self``). What a scope looks at is a :class:`Subject`: the journal an act is
on, the course unit it is about, the person it is for. Both questions are answered here, against
a registry view (``Directory.at(moment)`` or ``on(day, tz)`` for the registry as it stood then):

- :func:`in_scope`: the policy guard asks it for the actor of a command (``GuardContext.subject``),
  the audit for the author of a journal action on its day (authorship, T13);
- :class:`Holders`: the audit asks who answers for a finding (a rule's ``responsible``).

Layer: above the model and the registry projection, below the guards and the rules engine; it
knows no command, no event and no journal state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ._directory import RegistryView
from ._model import Group, JournalSpec, Person


@attrs.frozen
class Subject:
    """What a scope is checked against: the ``journal`` an act is on, the course ``unit`` it is
    about (``unit_department``), the ``person`` it is for (``self``). Any may be absent: a scope
    whose subject is absent holds for nobody."""

    journal: JournalSpec | None = None
    unit: str | None = None
    person: str | None = None


def in_scope(scope: str, person: Person, subject: Subject, on: date,
             directory: RegistryView) -> bool:
    """Whether ``person`` is within ``scope`` of ``subject`` on the day ``on`` (a substitute
    covers a journal on the days of the substitution only, T13), in ``directory``."""
    spec = subject.journal
    match scope:
        case "any":
            return True
        case "journal_teacher":
            if spec is None:
                return False
            if person.id in spec.teachers:
                return True
            return any(s.covers(person.id, on) for s in directory.substitutions.get(spec.id, ()))
        case "journal_department":
            department = _department(spec, directory)
            return department is not None and department in person.units
        case "journal_school":
            group = _group(spec, directory)
            return group is not None and group.school in person.units
        case "group_curation":
            group = _group(spec, directory)
            if group is None:
                return False
            if group.curation_dean is not None:
                return group.curation_dean == person.id
            return group.school in person.units
        case "unit_department":
            unit = directory.units.get(subject.unit or "")
            if unit is None:
                return False
            departments = {unit.department, *(p.department for p in unit.parts)}
            return bool(departments & set(person.units))
        case "self":
            return subject.person is not None and subject.person == person.id
    return False


def _group(spec: JournalSpec | None, directory: RegistryView) -> Group | None:
    return None if spec is None else directory.groups.get(spec.group)


def _department(spec: JournalSpec | None, directory: RegistryView) -> str | None:
    """The department a journal belongs to (None when the registry cannot say)."""
    if spec is None:
        return None
    try:
        return directory.journal_department(spec)
    except (LookupError, ValueError):
        return None


class Holders:
    """Who holds a role within a scope for a subject, in one registry view.

    The same question comes back for thousands of findings, so the answers are memoised (they
    depend on the role, the scope, the subject and, for a journal's teacher, the day) and each is
    found among the few holders the scope can reach (a journal's teachers and substitutes, a
    department's or school's members), each still checked with :func:`in_scope`.
    """

    def __init__(self, directory: RegistryView) -> None:
        self.directory = directory
        self._answers: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._index: dict[str, dict[str | None, list[Person]]] | None = None

    def of(self, role: str, scope: str, subject: Subject, on: date) -> tuple[str, ...]:
        """Ids, in id order, of the holders of ``role`` within ``scope`` of ``subject`` on
        ``on``."""
        journal = None if subject.journal is None else subject.journal.id
        key = (role, scope) if scope == "any" else \
            (role, scope, journal, subject.unit, subject.person,
             on if scope == "journal_teacher" else None)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = tuple(
                p.id for p in self._candidates(role, scope, subject)
                if in_scope(scope, p, subject, on, self.directory))
        return found

    def in_unit(self, role: str, unit: str | None) -> tuple[str, ...]:
        """Ids, in id order, of the holders of ``role`` in the org unit ``unit`` (every holder
        when ``unit`` is None)."""
        key = (role, None, unit)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = tuple(p.id for p in self._by_unit(role).get(unit, []))
        return found

    def _by_unit(self, role: str) -> dict[str | None, list[Person]]:
        """Org unit -> holders of ``role`` in id order; under ``None`` every holder."""
        if self._index is None:
            index: dict[str, dict[str | None, list[Person]]] = {}
            for person in sorted(self.directory.people.values(), key=lambda p: p.id):
                for held in person.roles:
                    by_unit = index.setdefault(held, {None: []})
                    by_unit[None].append(person)
                    for unit in person.units:
                        by_unit.setdefault(unit, []).append(person)
            self._index = index
        return self._index.get(role, {})

    def _candidates(self, role: str, scope: str, subject: Subject) -> list[Person]:
        """Holders that may be in ``scope``: a superset of those who are, narrowed by what the
        scope looks at."""
        holders = self._by_unit(role)
        spec = subject.journal
        directory = self.directory
        if scope == "journal_teacher" and spec is not None:
            ids = set(spec.teachers) | {s.substitute
                                        for s in directory.substitutions.get(spec.id, ())}
            return [p for p in (directory.people.get(i) for i in sorted(ids))
                    if p is not None and role in p.roles]
        if scope == "journal_department":
            department = _department(spec, directory)
            return [] if department is None else holders.get(department, [])
        if scope in ("journal_school", "group_curation"):
            group = _group(spec, directory)
            if group is None:
                return []
            ids = {p.id for p in holders.get(group.school, [])}
            if scope == "group_curation" and group.curation_dean is not None:
                ids.add(group.curation_dean)
            return [p for p in holders.get(None, []) if p.id in ids]
        return holders.get(None, [])
