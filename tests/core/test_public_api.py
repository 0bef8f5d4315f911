"""The public surface: a small root, public modules named for what they hold, each with a sorted
``__all__`` of names that exist; old root names warn for one release; the core never imports
adapters, and adapters use only public names."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import journal_rules as jr

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = ("commands", "events", "grading", "importing", "model", "policy", "rules",
                  "storage", "testing", "testing.strategies")
ROOT_CAP = 45


def _ruff_order(name: str) -> tuple[int, str]:
    # ruff's RUF022 ("isort-style"): SCREAMING_CASE, then CamelCase, then the rest.
    if name.isupper() or re.fullmatch(r"[A-Z0-9_]+", name):
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_the_root_fits_one_screen() -> None:
    assert len(jr.__all__) <= ROOT_CAP
    for name in ("Gradebook", "audit", "AuditReport", "Ruleset", "open_store", "JournalRulesError"):
        assert name in jr.__all__


@pytest.mark.parametrize("module", ["", *PUBLIC_MODULES])
def test_all_is_sorted_and_every_name_exists(module: str) -> None:
    mod = importlib.import_module(f"journal_rules.{module}" if module else "journal_rules")
    names = list(getattr(mod, "__all__", []))
    if module != "testing.strategies":
        assert names, module
    assert names == sorted(names, key=_ruff_order)
    assert len(set(names)) == len(names)
    assert [name for name in names if not hasattr(mod, name)] == []
    assert all(not name.startswith("_") or name == "__version__" for name in names)


def test_the_cattrs_converter_is_in_no_all() -> None:
    for module in ["", *PUBLIC_MODULES]:
        mod = importlib.import_module(f"journal_rules.{module}" if module else "journal_rules")
        assert "converter" not in getattr(mod, "__all__", [])


@pytest.mark.parametrize(("old", "home", "new"), [
    ("CloseJournal", "commands", "CloseJournal"),
    ("Person", "model", "Person"),
    ("PolicyGuard", "policy", "PolicyGuard"),
    ("EVENT_TYPES", "events", "EVENT_TYPES"),
    ("check_store", "storage", "check_store"),
    ("Grader", "grading", "Grader"),
    ("ImportColumn", "importing", "Column"),
    ("ruleset_coverage", "rules", "ruleset_coverage"),
    ("demo_gradebook", "testing", "demo_gradebook"),
])
def test_an_old_root_name_warns_and_names_its_new_home(old: str, home: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=rf"journal_rules\.{home}\.{new}\b"):
        value = getattr(jr, old)
    assert value is getattr(importlib.import_module(f"journal_rules.{home}"), new)


def test_every_moved_name_still_resolves() -> None:
    for old, (home, new) in jr._MOVED.items():
        with pytest.warns(DeprecationWarning, match=rf"journal_rules\.{home}\.{new}\b"):
            value = getattr(jr, old)
        assert value is getattr(importlib.import_module(f"journal_rules.{home}"), new), old
    with pytest.warns(DeprecationWarning, match="private"):
        assert jr.converter is not None
    with pytest.raises(AttributeError):
        _ = jr.no_such_name


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_core_never_imports_an_adapter() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "src" / "journal_rules").rglob("*.py")
        for name in _imports(path) if name.startswith("journal_rules_")
    ]
    assert offenders == []


def test_adapters_use_only_public_names() -> None:
    offenders: list[str] = []
    for path in (ROOT / "adapters").rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "journal_rules" or len(parts) == 1:
                continue
            if any(p.startswith("_") for p in parts[1:]):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
                continue
            module = ".".join(parts[:-1])
            if module == "journal_rules" and parts[-1] in {*PUBLIC_MODULES, "testing"}:
                continue
            if ".".join(parts) in {f"journal_rules.{m}" for m in PUBLIC_MODULES}:
                continue
            exported = importlib.import_module(module).__all__
            if parts[-1] not in exported:
                offenders.append(f"{path.relative_to(ROOT)}: {name} is not exported")
    assert offenders == []
