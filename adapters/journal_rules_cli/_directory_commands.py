"""``journal-rules people|journals|roles list``: who and what a store knows, so that the ids
other commands take (``--actor``, ``--person``, ``--journal``) can be found. Read-only; the
store's stream heads are checked first (``--no-verify`` skips it)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

import journal_rules as jr
from journal_rules.events import journal_stream
from journal_rules.model import Language
from journal_rules.storage import DEFAULT_STORE_URL

from ._labels import label, language
from ._options import (
    LangOption,
    NoVerifyOption,
    RulesetOption,
    StoreOption,
    TextOrJson,
    handled,
    load_ruleset,
    new_app,
    opened,
)
from ._rules_commands import _nearest

people_app = new_app("The people a store knows: ids, names, roles, units.")
journals_app = new_app("The journals a store knows: unit, group, term, teachers, department.")
roles_app = new_app("The ruleset's roles, named in its language.")

ListFormat = Annotated[TextOrJson, typer.Option("--format", help="How to print the list.")]


def _rows(rows: list[dict[str, Any]], output: TextOrJson, columns: tuple[str, ...]) -> None:
    if output is TextOrJson.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo("\t".join(
            ", ".join(v) if isinstance(v := row[c], list) else str(v if v is not None else "-")
            for c in columns))


def _role_name(ruleset: jr.Ruleset, lang: Language, role: str) -> str:
    return str(ruleset.names().name(lang, "roles", role))


@people_app.command("list")
def people_list(  # noqa: PLR0917 - typer maps parameters to options
    store: StoreOption = DEFAULT_STORE_URL,
    role: Annotated[str | None, typer.Option(
        "--role", metavar="ROLE", help="Only people holding this role id.")] = None,
    department: Annotated[str | None, typer.Option(
        "--department", metavar="UNIT", help="Only people of this org unit.")] = None,
    ruleset: RulesetOption = None,
    lang: LangOption = None,
    output: ListFormat = TextOrJson.text,
    no_verify: NoVerifyOption = False,
) -> None:
    """List people: id, name, roles (in the ruleset's language) and org units, tab-separated."""
    with handled():
        rules = load_ruleset(ruleset)
        lg = language(lang, rules)
        if role is not None and role not in rules.policy.roles:
            raise jr.UnknownEntity("role", role, _nearest(role, set(rules.policy.roles)))
        with opened(store, verify=not no_verify) as handle:
            people = jr.Gradebook.for_ruleset(handle, rules).directory.people
        rows = [{"id": p.id, "name": p.name, "roles": sorted(p.roles),
                 "role_names": [_role_name(rules, lg, r) for r in sorted(p.roles)],
                 "units": list(p.units)}
                for p in sorted(people.values(), key=lambda p: p.id)
                if (role is None or role in p.roles)
                and (department is None or department in p.units)]
        _rows(rows, output, ("id", "name", "role_names", "units"))


@journals_app.command("list")
def journals_list(  # noqa: PLR0917 - typer maps parameters to options
    store: StoreOption = DEFAULT_STORE_URL,
    department: Annotated[str | None, typer.Option(
        "--department", metavar="UNIT", help="Only journals of this department.")] = None,
    teacher: Annotated[str | None, typer.Option(
        "--teacher", metavar="PERSON", help="Only journals this person teaches.")] = None,
    term: Annotated[str | None, typer.Option(
        "--term", metavar="TERM", help="Only journals of this term.")] = None,
    ruleset: RulesetOption = None,
    output: ListFormat = TextOrJson.text,
    no_verify: NoVerifyOption = False,
) -> None:
    """List journals: id, unit, group, term, department and teachers, tab-separated."""
    with handled():
        rules = load_ruleset(ruleset)
        with opened(store, verify=not no_verify) as handle:
            directory = jr.Gradebook.for_ruleset(handle, rules).directory
            rows = []
            for spec in sorted(directory.journals.values(), key=lambda s: s.id):
                dept = directory.journal_department(spec)
                if ((department is None or dept == department)
                        and (teacher is None or teacher in spec.teachers)
                        and (term is None or spec.term == term)):
                    rows.append({"id": spec.id, "unit": spec.unit, "group": spec.group,
                                 "term": spec.term, "department": dept,
                                 "teachers": list(spec.teachers)})
        _rows(rows, output, ("id", "unit", "group", "term", "department", "teachers"))


@roles_app.command("list")
def roles_list(ruleset: RulesetOption = None, lang: LangOption = None,
               output: ListFormat = TextOrJson.text) -> None:
    """List the ruleset's roles: id and name in the chosen language, tab-separated."""
    with handled():
        rules = load_ruleset(ruleset)
        lg = language(lang, rules)
        rows = [{"id": r, "name": _role_name(rules, lg, r)} for r in rules.policy.roles]
        _rows(rows, output, ("id", "name"))


def register_directory_commands(app: typer.Typer) -> None:
    """Mount ``people``, ``journals`` and ``roles`` on the root command."""
    app.add_typer(people_app, name="people")
    app.add_typer(journals_app, name="journals")
    app.add_typer(roles_app, name="roles")
    app.command("show")(show)


def show(  # noqa: PLR0917 - typer maps parameters to options
    journal: Annotated[str, typer.Argument(metavar="JOURNAL", help="The journal's id.")],
    store: StoreOption = DEFAULT_STORE_URL,
    control: Annotated[str | None, typer.Option(
        "--control", metavar="CONTROL", help="Only this control's grid.")] = None,
    ruleset: RulesetOption = None,
    lang: LangOption = None,
    no_verify: NoVerifyOption = False,
) -> None:
    """Show a journal: its controls (state, closings, reopenings, visas), a grid of students by
    class days per control, and its history (every event: version, when, who, what)."""
    with handled():
        rules = load_ruleset(ruleset)
        lg = language(lang, rules)
        names = rules.names()
        with opened(store, verify=not no_verify) as handle:
            state = jr.Gradebook.for_ruleset(handle, rules).journal(journal)
            history = list(handle.read(journal_stream(journal)))
        snapshot = state.snapshot()
        if control is not None and control not in snapshot["controls"]:
            raise jr.UnknownEntity("control", control,
                                   _nearest(control, set(snapshot["controls"])))
        console = Console(highlight=False)
        table = Table(title=label("journal_title", lg, journal=journal, version=state.version))
        for column in ("control", "state", "closings", "reopenings", "visas"):
            table.add_column(label(column, lg))
        for cid, c in snapshot["controls"].items():
            table.add_row(cid, str(names.name(lg, "states", c["state"])), str(c["closed"]),
                          str(c["reopened"]),
                          ", ".join(str(names.name(lg, "roles", v)) for v in c["visas"]) or "-")
        console.print(table)
        grids: dict[str, dict[str, dict[str, str]]] = {}
        for key, mark in snapshot["grid"].items():
            student, day, cid = key.split("|")
            grids.setdefault(cid, {}).setdefault(student, {})[day] = str(mark)
        for cid, rows in grids.items():
            if control not in (None, cid):
                continue
            days = sorted({d for marks in rows.values() for d in marks})
            grid = Table(title=f"{label('control', lg)} {cid}")
            grid.add_column(label("student", lg))
            for day in days:
                grid.add_column(day[5:], justify="right")  # MM-DD: the term's year is known
            for student in sorted(rows):
                grid.add_row(student, *(rows[student].get(day, "") for day in days))
            console.print(grid)
        log = Table(title=label("history", lg))
        for column in ("version", "recorded", "actor", "event"):
            log.add_column(label(column, lg))
        for event in history:
            what = event.type + (f" ({event.data['control']})" if "control" in event.data else "")
            log.add_row(str(event.version), event.recorded_at.isoformat(timespec="minutes"),
                        event.actor, what)
        console.print(log)
