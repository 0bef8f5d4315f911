"""The pytest plugin of journal-rules (entry point ``pytest11``), loaded wherever the library is
installed.

Options (command line, or the same names with underscores in the ini file):

- ``--journal-ruleset PATH``: the ruleset the fixtures use (default: the bundled KazNMU one);
- ``--journal-store URL``: the store the ``journal_store`` fixture opens, fresh per test
  (default ``memory://``); ``{tmp}`` in the URL is replaced by the test's temporary folder, so
  ``tinydb://{tmp}/store`` or ``sqlite:///{tmp}/j.db`` give each test an empty store;
- ``--journal-cases PATH``: also collect the ruleset test cases (YAML) under PATH, one pytest
  item per case (as ``journal-rules rules test`` runs them); PATH is collected by itself, it
  need not be given as a path too.

Fixtures: ``journal_ruleset``, ``journal_store``, ``journal_clock``, ``gradebook`` (guarded by the
ruleset's policy and rules), ``scenario`` (a :class:`Scenario` factory on the chosen ruleset and
store), ``journal_audit`` (``as_of`` -> report over ``journal_store``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import journal_rules as jr
from journal_rules._rules._cases import World, load_cases, run_case
from journal_rules.rules import CaseResult

from ._demo import demo_clock
from ._scenario import Scenario


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("journal-rules")
    for name, help_text in (
        ("journal-ruleset", "ruleset file for the journal-rules fixtures (default: bundled)"),
        ("journal-store", "store URL for the journal_store fixture; {tmp} = the test's tmp dir"),
        ("journal-cases", "collect ruleset test cases (YAML) under this path as test items"),
    ):
        group.addoption(f"--{name}", dest=name.replace("-", "_"), default=None, help=help_text)
        parser.addini(name.replace("-", "_"), help_text, default=None)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(name)
    if value is None:
        value = config.getini(name)
    return None if value in (None, "", []) else str(value)


@pytest.fixture(scope="session")
def journal_ruleset(pytestconfig: pytest.Config) -> jr.Ruleset:
    """The ruleset under test, loaded and validated once per session."""
    path = _option(pytestconfig, "journal_ruleset")
    if path is None:
        return jr.default_ruleset()
    return jr.load_ruleset(Path(path) if Path(path).is_absolute()
                           else pytestconfig.rootpath / path)


@pytest.fixture
def journal_store(pytestconfig: pytest.Config, tmp_path: Path) -> Iterator[jr.Storage]:
    """A fresh, empty store per test, of the kind ``--journal-store`` names."""
    url = (_option(pytestconfig, "journal_store") or "memory://").replace("{tmp}", str(tmp_path))
    store = jr.open_store(url)
    if store.streams():
        store.close()
        pytest.fail(f"the store at {url} is not empty: give each test its own (use {{tmp}})")
    yield store
    store.close()


@pytest.fixture
def journal_clock() -> jr.ManualClock:
    """A manual clock at the demo's start (20 August 2025, 09:00 UTC)."""
    return demo_clock()


@pytest.fixture
def gradebook(journal_store: jr.Storage, journal_ruleset: jr.Ruleset,
              journal_clock: jr.ManualClock) -> jr.Gradebook:
    """A gradebook over ``journal_store``, guarded by the ruleset's policy and rules engine."""
    return jr.Gradebook.for_ruleset(journal_store, journal_ruleset, clock=journal_clock)


@pytest.fixture
def scenario(journal_store: jr.Storage, journal_ruleset: jr.Ruleset
             ) -> Callable[..., Scenario]:
    """Build a :class:`Scenario` on the session's ruleset and this test's store:
    ``scenario()`` (demo faculty), ``scenario(world="demo-term")``, ``scenario(world="empty")``,
    or a world file of your own (``scenario(world=Path("my-world.yaml"))``).
    """
    def make(world: World | str | Path = "demo-faculty", **kwargs: Any) -> Scenario:
        return Scenario(kwargs.pop("ruleset", journal_ruleset), world=world,
                        store=kwargs.pop("store", journal_store), **kwargs)
    return make


@pytest.fixture
def journal_audit(journal_store: jr.Storage, journal_ruleset: jr.Ruleset
                  ) -> Callable[[date], jr.AuditReport]:
    """``journal_audit(as_of)``: the audit of ``journal_store`` under the ruleset."""
    return lambda as_of: jr.audit(journal_store, journal_ruleset, as_of)


# --- ruleset test cases as pytest items ---------------------------------------------------------

def _cases_root(config: pytest.Config) -> Path | None:
    cases = _option(config, "journal_cases")
    if cases is None:
        return None
    root = Path(cases)
    return root if root.is_absolute() else config.rootpath / root


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """``--journal-cases DIR`` is collected by itself: DIR joins the paths pytest collects
    unless one of them already holds it."""
    root = _cases_root(config)
    if root is None:
        return
    if not root.exists():
        raise pytest.UsageError(f"--journal-cases: no such file or folder: {root}")
    root = root.resolve()
    for arg in config.args:
        given = Path(arg.split("::")[0])
        given = (given if given.is_absolute() else config.invocation_params.dir / given
                 ).resolve()
        if given == root or given in root.parents:
            return
    config.args.append(str(root))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    root = _cases_root(parent.config)
    if root is None or file_path.suffix != ".yaml":
        return None
    try:
        relative = file_path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    if "rulesets" in relative.parts[:-1]:
        return None  # rulesets that cases refer to, not cases
    return RulesetCaseFile.from_parent(parent, path=file_path)


class RulesetCaseFile(pytest.File):
    """A YAML file of ruleset test cases; each case (each table row) is an item."""

    def collect(self) -> Iterator[pytest.Item]:
        ruleset, world, cases = load_cases(self.path)
        for case in cases:
            yield RulesetCase.from_parent(self, name=str(case.get("name", "case")),
                                          ruleset=ruleset, world=world, case=case)


class RulesetCase(pytest.Item):
    def __init__(self, *, ruleset: jr.Ruleset, world: World, case: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ruleset, self.world, self.case = ruleset, world, case

    def runtest(self) -> None:
        result = run_case(self.ruleset, self.world, self.case, str(self.path))
        if not result.passed:
            raise RulesetCaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, RulesetCaseFailed):
            return "\n".join(excinfo.value.result.failures)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"ruleset case: {self.name}"


class RulesetCaseFailed(Exception):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.name)
        self.result = result
