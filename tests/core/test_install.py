"""Cheap import and honest dependencies: ``import journal_rules`` loads no heavy or optional
package, the command line without its extra says how to install it, pyproject claims only what
is checked. (Import time itself is measured in the closing notes, never asserted here.)"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Heavy (durable_rules' C extension, holidays' country data) or optional (the cli, office and
# sql extras, the test kit): none of them may be loaded by importing the library.
NOT_ON_IMPORT = ("durable", "durable_rules_engine", "openpyxl", "holidays", "typer", "rich",
                 "click", "sqlalchemy", "fpdf", "pytest", "hypothesis")


def _loaded(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:")}
    assert "journal_rules" in names  # the report was read: the package itself is listed
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("code", [
    "import journal_rules",
    "from journal_rules import Gradebook, audit, default_ruleset, open_store",
    "import journal_rules.commands, journal_rules.model, journal_rules.policy, "
    "journal_rules.events, journal_rules.storage, journal_rules.grading, journal_rules.importing, "
    "journal_rules.rules",
])
def test_import_loads_no_heavy_or_optional_package(code: str) -> None:
    assert _loaded(code) & set(NOT_ON_IMPORT) == set()


def test_the_rules_engine_loads_on_first_audit() -> None:
    code = ("import datetime, journal_rules as jr; "
            "jr.audit(jr.MemoryStore(), jr.default_ruleset(), datetime.date(2025, 10, 1))")
    assert "durable" in _loaded(code)


def test_the_command_line_without_its_extra_says_how_to_install_it() -> None:
    # sys.modules[name] = None makes ``import name`` fail as if the package were not installed.
    code = ("import sys; sys.modules['typer'] = None; sys.modules['rich'] = None; "
            "import journal_rules_cli; journal_rules_cli.main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert "pip install 'journal-rules[cli]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_xlsx_without_the_office_extra_names_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['openpyxl'] = None\n"
            "import journal_rules.importing as imp\n"
            "try:\n"
            f"    imp.write_templates({str(tmp_path)!r})\n"
            "except ImportError as exc:\n"
            "    import journal_rules as jr\n"
            "    assert isinstance(exc, jr.JournalRulesError)\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert "pip install 'journal-rules[office]'" in done.stdout


def test_pyproject_claims_what_is_checked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11,<3.13"
    core = " ".join(project["dependencies"]).lower()
    for optional in ("typer", "rich", "openpyxl", "fpdf2", "sqlalchemy"):
        assert optional not in core
    extras = project["optional-dependencies"]
    assert {"cli", "office", "sql", "all", "dev", "test"} <= extras.keys()
    assert extras["all"] == ["journal-rules[cli,office,sql]"]
    assert project["license"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
