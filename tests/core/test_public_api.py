"""The public surface: one sorted __all__, the core never imports adapters, adapters use only it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import journal_rules as jr

ROOT = Path(__file__).resolve().parents[2]


def _ruff_order(name: str) -> tuple[int, str]:
    # ruff's RUF022 ("isort-style"): SCREAMING_CASE, then CamelCase, then the rest.
    if name.isupper() or re.fullmatch(r"[A-Z0-9_]+", name):
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def test_all_is_sorted_and_complete() -> None:
    assert jr.__all__ == sorted(jr.__all__, key=_ruff_order)
    assert len(set(jr.__all__)) == len(jr.__all__)
    missing = [name for name in jr.__all__ if not hasattr(jr, name)]
    assert missing == []


def test_public_names_are_not_private() -> None:
    assert all(not name.startswith("_") or name == "__version__" for name in jr.__all__)


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
            if parts[0] != "journal_rules":
                continue
            if any(p.startswith("_") for p in parts[1:]):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            elif len(parts) == 2 and parts[1] not in jr.__all__ and parts[1] != "testing":
                offenders.append(f"{path.relative_to(ROOT)}: {name} is not exported")
    assert offenders == []
