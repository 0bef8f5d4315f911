"""The import contract: each module of the library sits in one layer and imports only from its
own layer or lower ones, lazy imports (inside functions) included, since a lazy import can hide
an inverted dependency as well as a top-level one.

    model -> storage -> projections -> scopes -> guard -> rules -> services -> testing -> adapters

Commands and events own their behaviour: an event applies itself to its projection and a
command checks its data against the registry's projection, so the commands, their actions and
the policy data sit in the projections layer with the projections they read and build. Imports
under ``if TYPE_CHECKING:`` are annotations only (``apply(state: JournalState)`` names its
projection's type) and are not dependencies at run time, so they are not counted.

A new private module is placed by the first pattern that matches its dotted name; one that
matches none fails the test, so every module is placed on purpose.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("model", "storage", "projections", "scopes", "guard", "rules", "services", "testing",
          "adapters")

# (pattern over the module's dotted name without "journal_rules.", layer); the first match wins.
PLACES: tuple[tuple[str, str], ...] = (
    # model: the vocabulary: data classes, commands, errors, decisions, policy data, texts
    ("_version", "model"), ("_errors", "model"), ("_decision", "model"), ("_report", "model"),
    ("_model", "model"),
    ("_convert", "model"), ("_yaml", "model"), ("_templates", "model"), ("_clock", "model"),
    ("_extras", "model"), ("_dates", "model"),
    ("_grading._scale", "model"), ("_grading._finishing", "model"),
    ("_grading._policy", "model"), ("_rules._calendar", "model"),
    # storage: the protocol, logs over it, stores by URL, the event types, tamper evidence
    ("_storage", "storage"), ("_log", "storage"), ("_buffered", "storage"),
    ("_stores", "storage"), ("_events", "storage"), ("_anchor", "storage"),
    # projections: state built from events, and the commands with their checks over it
    ("_journal", "projections"), ("_directory", "projections"), ("_commands", "projections"),
    ("_validation", "projections"), ("_actions", "projections"), ("_policy", "projections"),
    # scopes: who is in scope of what, who holds which role
    ("_scopes", "scopes"),
    # guard: checks of a command before it is recorded
    ("_guard", "guard"),
    # rules: the ruleset and its rule kinds, the engine, facts, audit and the rules guard
    ("_ruleset", "rules"), ("_rules._cases", "services"), ("_rules._coverage", "services"),
    ("_rules._api", "services"),
    # the policy author's tools over the gradebook and the case runner: one decision, editions
    # (a gradebook guarded by the edition of each day), lint of case files
    ("_rules._decide", "services"), ("_rules._editions", "services"),
    ("_rules._lint", "services"),
    ("_rules", "rules"), ("_rules.*", "rules"),
    # services: what runs commands and reads the log for people
    ("_gradebook", "services"), ("_backup", "services"), ("_grading", "services"),
    ("_grading.*", "services"), ("_importing", "services"), ("_importing.*", "services"),
    # the public modules re-export; they sit above what they name
    ("commands", "services"), ("model", "services"), ("policy", "services"),
    ("events", "services"), ("storage", "services"), ("grading", "services"),
    ("importing", "services"), ("rules", "services"),
    # testing: the kit, the demo worlds and the generator; the root names every public module,
    # the testing kit included (lazily), so it sits with it
    ("", "testing"),
    ("testing", "testing"), ("testing.*", "testing"),
)
# Known inversions, each with its reason; the list only shrinks (empty since worlds are data).
ALLOWED: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in (ROOT / "src" / "journal_rules").rglob("*.py"):
        parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _layer(module: str) -> int:
    short = module.removeprefix("journal_rules").removeprefix(".")
    for pattern, layer in PLACES:
        if fnmatch.fnmatchcase(short, pattern):
            return LAYERS.index(layer)
    raise AssertionError(f"{module} is in no layer: add it to PLACES in {__file__}")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, at any depth, except the bodies of ``if TYPE_CHECKING:``."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def _imported(path: Path, module: str, known: set[str]) -> set[str]:
    """The library modules ``module`` imports, at any depth of its code."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = (".".join([*package[:len(package) - node.level + 1], node.module or ""])
                    .rstrip(".") if node.level else node.module or "")
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            # "from journal_rules import _x" names a module; "from ._x import y" a name in one
            target = name
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        _layer(module)


def test_no_module_imports_from_a_higher_layer() -> None:
    modules = _modules()
    known = set(modules)
    inversions = []
    for module, path in sorted(modules.items()):
        for target in sorted(_imported(path, module, known)):
            if _layer(target) > _layer(module) and (module, target) not in ALLOWED:
                inversions.append(f"{module} ({LAYERS[_layer(module)]}) imports {target} "
                                  f"({LAYERS[_layer(target)]})")
    assert inversions == []


def test_the_contract_sees_imports() -> None:
    # The walk finds imports at any depth (the gradebook imports the guard) and leaves out the
    # annotations-only ones (an event names its projection's type).
    modules = _modules()
    known = set(modules)
    assert "journal_rules._guard" in _imported(modules["journal_rules._gradebook"],
                                               "journal_rules._gradebook", known)
    lazy = ast.parse("def f():\n    from journal_rules import _gradebook\n"
                     "if TYPE_CHECKING:\n    import journal_rules._demo\n")
    names = {alias.name for node in _runtime_nodes(lazy)
             if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert names == {"_gradebook"}
    assert _layer("journal_rules._rules._engine") == LAYERS.index("rules")


def test_adapters_sit_above_the_library() -> None:
    for path in (ROOT / "src" / "journal_rules").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "journal_rules_" not in "".join(
            line for line in text.splitlines() if line.lstrip().startswith(("import", "from"))
        ), path
