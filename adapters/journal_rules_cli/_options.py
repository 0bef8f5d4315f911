"""The command line's shared plumbing, defined once: the ``--store``, ``--ruleset``, ``--lang``,
``--format`` and ``--no-verify`` options, the one way a command opens a store and loads a
ruleset, and how a library error reaches the user."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

import journal_rules as jr
from journal_rules.importing import DATE_FORMATS, parse_date
from journal_rules.policy import DEFAULT_RULESET
from journal_rules.storage import DEFAULT_STORE_URL, ensure_sound, load_signing_key, trusted_keys


def new_app(help_text: str) -> typer.Typer:
    """A command group with the house's habits: ``-h`` as well as ``--help``, help printed as
    plain text (no rich markup read into ``[brackets]``, no type names as metavars), and errors
    left to :func:`journal_rules_cli.main`."""
    return typer.Typer(help=help_text, no_args_is_help=True, pretty_exceptions_enable=False,
                       rich_markup_mode=None,
                       context_settings={"help_option_names": ["-h", "--help"]})


STORE_HELP = ("Store URL (memory://, tinydb://FOLDER, sqlite:///FILE, postgresql://...).")

StoreOption = Annotated[str, typer.Option(
    "--store", metavar="URL", help=STORE_HELP, show_default=True)]
"""The store a command works on; the default is the embedded TinyDB store."""

NewStoreOption = Annotated[str, typer.Option(
    "--store", metavar="URL", help=STORE_HELP + " It must be empty.")]
"""A store a command fills from nothing (required: never the default store by accident)."""

RulesetOption = Annotated[Path | None, typer.Option(
    "--ruleset", metavar="FILE",
    help=f"The ruleset file (default: the bundled {DEFAULT_RULESET}).")]

NoVerifyOption = Annotated[bool, typer.Option(
    "--no-verify", help="Skip the integrity check of the stream heads before reading.")]


class Lang(enum.StrEnum):
    """The languages of messages and labels."""

    ru = "ru"
    kk = "kk"
    en = "en"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", help="Language of messages and labels (default: the ruleset's language).")]


class TextOrJson(enum.StrEnum):
    """How a report is printed."""

    text = "text"
    json = "json"


class DocumentFormat(enum.StrEnum):
    """The office documents' format."""

    xlsx = "xlsx"
    pdf = "pdf"


FormatOption = Annotated[TextOrJson, typer.Option("--format", help="How to print the report.")]


def parse_date_param(text: str) -> date:
    """A date typed on the command line, read by the library's one date parser."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


DATE_HELP = f"({DATE_FORMATS})"

AsOfOption = Annotated[date | None, typer.Option(
    "--as-of", metavar="DATE", parser=parse_date_param,
    help=f"Audit as of the end of this day {DATE_HELP}; default today in the ruleset's time "
         "zone.")]

DateArgument = Annotated[date, typer.Argument(
    metavar="DATE", parser=parse_date_param, help=f"The class day {DATE_HELP}.")]


def load_ruleset(path: Path | None) -> jr.Ruleset:
    """The ruleset in ``path``, or the bundled one."""
    return jr.default_ruleset() if path is None else jr.load_ruleset(path)


def check_before_reading(store: jr.Storage) -> None:
    """What reading commands run first: the fast head check against the latest checkpoint
    (trusted keys from the environment); an edited store is refused, named
    (:class:`journal_rules.TamperDetected`)."""
    ensure_sound(store, public_keys=trusted_keys(signing=load_signing_key()))


# The bundled adapters that can open an existing store read-only, refusing a missing one
# without creating anything: the probe that tells a mistyped URL from a store.
_PROBED = frozenset({"tinydb", "sqlite", "postgresql"})


def ensure_exists(url: str | None) -> None:
    """Refuse a store URL that names no store, creating nothing: a mistyped ``--store`` must not
    conjure an empty store and report on it. ``memory://`` is fresh by definition; other
    adapters' schemes are opened as they are."""
    url = url or DEFAULT_STORE_URL
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in _PROBED:
        return
    # Appended, not rebuilt: urlunsplit would fold sqlite:/// into sqlite:/ (the adapters
    # read the last read_only given).
    probe = url + ("&" if parts.query else "?") + "read_only=1"
    try:
        jr.open_store(probe).close()
    except jr.StoreError as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        reason = reason.replace(" (opened read-only: nothing is created)", "")
        raise jr.StoreError(
            f"no store at {url} ({reason}); create one with "
            f"`journal-rules store init --store {url}` or check the URL") from None


@contextlib.contextmanager
def opened(url: str | None, *, verify: bool = False, create: bool = False
           ) -> Iterator[jr.Storage]:
    """The store at ``url`` (None: the default), head-checked first when ``verify``, closed
    when the command is done. Unless ``create`` (the commands that make stores: ``demo``,
    ``generate``, ``restore``, ``store init``), a URL naming no store is refused first."""
    if not create:
        ensure_exists(url)
    with jr.open_store(url) as store:
        if verify:
            check_before_reading(store)
        yield store


def message(exc: jr.JournalRulesError) -> str:
    """The error as the user sees it: one line when there is one problem."""
    if isinstance(exc, jr.InvalidInput) and len(exc.problems) == 1:
        problem = str(exc.problems[0])
        return problem if problem.startswith(exc.what) else f"{exc.what}: {problem}"
    return str(exc)


def print_error(exc: jr.JournalRulesError) -> None:
    """Print a library error on stderr as plain text: a message may hold [brackets] (an extra's
    name, a rule id) that a markup-reading console would eat."""
    typer.echo(f"error: {message(exc)}", err=True)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn a library error into its message on stderr and exit code 2 (for sub-apps that can
    run on their own, without :func:`journal_rules_cli.main`)."""
    try:
        yield
    except jr.JournalRulesError as exc:
        print_error(exc)
        raise typer.Exit(2) from None
