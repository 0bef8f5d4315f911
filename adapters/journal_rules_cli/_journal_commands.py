"""``journal-rules init``, ``marks`` and ``close``: start a store from nothing, and the
teacher's two everyday acts, as a user types them.

Each runs one command through the guarded gradebook: a refusal prints the rule, the SOP clauses
and the message, and nothing is written (exit 1).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
import yaml

import journal_rules as jr
from journal_rules.commands import CloseJournal, Command, EnterMarks, RegisterPeople
from journal_rules.model import Person
from journal_rules.storage import DEFAULT_STORE_URL

from ._labels import language
from ._options import (
    DateArgument,
    Lang,
    LangOption,
    NewStoreOption,
    RulesetOption,
    StoreOption,
    load_ruleset,
    opened,
)

ActorOption = Annotated[str, typer.Option("--actor", metavar="PERSON",
                                          help="Who does it (a registered person id).")]

_ADMIN_FIELDS = ("id", "name", "email", "position")


def _run(store: str, ruleset: Path | None, lang: Lang | None, actor: str,
         command: Command) -> int:
    """Execute one command; print a refusal (exit 1) or the number of events recorded."""
    rules = load_ruleset(ruleset)
    with opened(store) as handle:
        book = jr.Gradebook.for_ruleset(handle, rules)
        decision = book.check(actor, command)
        if decision.refusals:
            chosen = language(lang, rules)
            for refusal in decision.refusals:
                typer.echo(f"refused [{refusal.rule_id}] ({', '.join(refusal.clauses)}): "
                           f"{refusal.message(chosen)}", err=True)
            raise typer.Exit(1)
        return len(book.execute(actor, command))


def _admin_from_file(file: Path) -> dict[str, str]:
    """The first administrator from a small YAML file (``id``, ``name``; ``email`` and
    ``position`` optional)."""
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise jr.InvalidInput(str(file), [jr.Problem(f"cannot read the file: {exc}")]) from None
    if len(text) > 64_000:
        raise jr.InvalidInput(str(file), [jr.Problem("too large for an administrator's card")])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise jr.InvalidInput(str(file), [jr.Problem(f"not YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise jr.InvalidInput(str(file), [jr.Problem(
            "expected fields id and name (email, position optional)")])
    problems = [jr.Problem(f"unknown field {k!r}", file=str(file), path=str(k),
                           suggestion=next(iter(difflib.get_close_matches(
                               str(k), _ADMIN_FIELDS, 1)), None))
                for k in data if k not in _ADMIN_FIELDS]
    problems += [jr.Problem("required field is missing", file=str(file), path=k)
                 for k in ("id", "name") if not str(data.get(k) or "").strip()]
    if problems:
        raise jr.InvalidInput(str(file), problems)
    return {k: str(v).strip() for k, v in data.items() if v is not None}


def init(
    store: NewStoreOption,
    admin: Annotated[Path | None, typer.Option(
        "--admin", metavar="FILE",
        help="A YAML file with the first administrator's id and name (email, position "
             "optional); without it you are asked.")] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", metavar="ORG_UNIT",
        help="The administrator's org unit id (it may be imported later).")] = None,
    ruleset: RulesetOption = None,
) -> None:
    """Start a store from nothing: register its first administrator, who may then import the
    university's structure and people. The administrator gets the roles the ruleset grants
    registering people (the IT department in the bundled ruleset)."""
    rules = load_ruleset(ruleset)
    card = _admin_from_file(admin) if admin is not None else {
        "id": typer.prompt("Administrator's id (login)").strip(),
        "name": typer.prompt("Administrator's full name").strip(),
    }
    # The ruleset's first grant of registering people names the administrator's role.
    grants = rules.policy.permission_for(RegisterPeople.action).grants
    first = grants[0].role if grants else None
    if first is None:
        raise jr.InvalidInput(rules.id, [jr.Problem(
            "no role may register people, so nobody could start the store")])
    with opened(store, create=True) as handle:
        if handle.streams():
            raise jr.StoreError(f"{store} is not empty: init starts a new store only")
    person = Person(card["id"], card["name"], {first}, (unit,) if unit else (),
                       email=card.get("email"), position=card.get("position"))
    _run(store, ruleset, None, person.id, RegisterPeople([person]))
    typer.echo(f"{store}: created; {person.id} ({first}) is its first administrator")
    typer.echo(f"next: journal-rules import orgunits FILE --actor {person.id} --store {store}")


def marks(  # noqa: PLR0917 - typer maps parameters to options
    journal: Annotated[str, typer.Argument(metavar="JOURNAL", help="The journal id.")],
    on: DateArgument,
    entries: Annotated[list[str], typer.Argument(
        metavar="STUDENT=MARK...", help="Marks: student id = points or a code (н/б).")],
    actor: ActorOption,
    control: Annotated[str | None, typer.Option(
        "--control", metavar="CONTROL",
        help="The control (default: the one whose dates contain the day).")] = None,
    store: StoreOption = DEFAULT_STORE_URL,
    ruleset: RulesetOption = None,
    lang: LangOption = None,
) -> None:
    """Enter one class day's marks in a journal."""
    parsed: dict[str, str] = {}
    for entry in entries:
        student, sep, mark = entry.partition("=")
        if not sep or not student.strip() or not mark.strip():
            raise jr.InvalidInput("marks", [jr.Problem(
                f"{entry!r} is not STUDENT=MARK", path="marks")])
        parsed[student.strip()] = mark.strip()
    count = _run(store, ruleset, lang, actor, EnterMarks(journal, on, parsed, control=control))
    typer.echo(f"{journal} {on}: {len(parsed)} mark(s), {count} event(s) recorded")


def close(  # noqa: PLR0917 - typer maps parameters to options
    journal: Annotated[str, typer.Argument(metavar="JOURNAL", help="The journal id.")],
    control: Annotated[str, typer.Argument(metavar="CONTROL", help="The control to close.")],
    actor: ActorOption,
    store: StoreOption = DEFAULT_STORE_URL,
    ruleset: RulesetOption = None,
    lang: LangOption = None,
) -> None:
    """Close a journal's control (its marks can no longer change without a reopening)."""
    count = _run(store, ruleset, lang, actor, CloseJournal(journal, control))
    typer.echo(f"{journal} {control}: closed, {count} event(s) recorded")


def register_journal_commands(app: typer.Typer) -> None:
    """Mount ``init``, ``marks`` and ``close`` on the root app."""
    app.command("init")(init)
    app.command("marks")(marks)
    app.command("close")(close)
