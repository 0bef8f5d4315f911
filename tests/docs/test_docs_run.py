"""Every code block of README.md and docs/*.md runs as written.

- ```python blocks run in order per file, in a temporary folder, sharing one namespace (a later
  block may use an earlier block's names); a block that defines tests (``def test_``, ``class
  Test``) is written to a test file and run by pytest with the journal_rules plugin.
- ```sh / ```bash / ```console blocks with a ``journal-rules`` line run in bash in the same
  temporary folder, with the installed ``journal-rules`` first on the PATH (``$ `` prompts are
  stripped from console blocks, their other lines are output).
- ```yaml blocks are loaded: a case file (``cases:``) runs with the case runner and must pass, a
  world file (``steps:``) is played through a guarded gradebook, a ruleset (``ruleset: {id:
  ...}``) loads (and is written as ``<id>.yaml`` for later blocks), a ruleset section
  (``calendar:``, ``parameters:``, ...) loads as an extension of the bundled ruleset.
- ```toml blocks parse, and entry points name a group the library reads.

A block that is only illustrative says so just before its fence, with a reason:
``<!-- not-run: reason -->``. Any other block fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import journal_rules as jr
from journal_rules.rules import ruleset_test_summary, run_ruleset_tests
from journal_rules.testing import load_world, play_world

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->$")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\s*$")
SHELLS = ("sh", "bash", "console")
# The sections a ruleset fragment may show; it loads as an extension of the bundled ruleset.
SECTIONS = frozenset({"roles", "actions", "permissions", "lifecycle", "visas", "marks", "reasons",
                      "unknown_actor", "future_marks", "grading", "calendar", "parameters",
                      "rules"})
ENTRY_POINT_GROUPS = frozenset({"journal_rules.stores"})


@attrs.frozen
class Block:
    file: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    skip: str | None  # the reason of a not-run marker

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = NOT_RUN.match(before)
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        yield Block(path, i + 1, opening["lang"], "\n".join(lines[i + 1:end]) + "\n",
                    marker["reason"] if marker else None)
        i = end + 1


def _shell_text(block: Block) -> str:
    if block.lang != "console":
        return block.text
    return "\n".join(line[2:] for line in block.text.splitlines() if line.startswith("$ "))


def _runs_cli(block: Block) -> bool:
    return any(line.lstrip().startswith("journal-rules ")
               for line in _shell_text(block).splitlines())


def _why_not_runnable(block: Block) -> str | None:
    if block.lang == "python" or block.lang in ("yaml", "toml"):
        return None
    if block.lang in SHELLS:
        return None if _runs_cli(block) else "a shell block without a journal-rules command"
    return f"a block of language {block.lang or '(none)'!r}"


def test_every_block_runs_or_says_why_not() -> None:
    unexplained = [f"{b.where}: {why}; give it a language that runs or a "
                   "<!-- not-run: reason --> marker"
                   for path in DOCS for b in blocks(path)
                   if b.skip is None and (why := _why_not_runnable(b)) is not None]
    assert unexplained == []
    assert sum(1 for path in DOCS for b in blocks(path) if b.skip is None) >= 8


def _cli_env(tmp: Path) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "journal-rules").exists(), "the journal-rules entry point is installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_RULES_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp)
    return env


def _run_python(block: Block, namespace: dict[str, Any], tmp: Path, n: int) -> None:
    if re.search(r"^\s*(def test_|class Test)", block.text, re.M):
        test_file = tmp / f"test_doc_block_{n}.py"
        test_file.write_text(block.text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
             "--rootdir", str(tmp), str(test_file)],
            capture_output=True, text=True, cwd=tmp, check=False, env=_cli_env(tmp))
        assert done.returncode == 0, f"{block.where}:\n{done.stdout}\n{done.stderr}"
        assert " passed" in done.stdout
        return
    exec(compile(block.text, block.where, "exec"), namespace)


def _run_shell(block: Block, tmp: Path) -> None:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", _shell_text(block)],
                          capture_output=True, text=True, cwd=tmp, check=False,
                          env=_cli_env(tmp))
    assert done.returncode == 0, f"{block.where}:\n{done.stdout}\n{done.stderr}"


def _run_yaml(block: Block, tmp: Path, n: int) -> None:
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict), f"{block.where}: a YAML block is a mapping"
    if "steps" in data and "cases" not in data:
        (tmp / f"doc-world-{n}.yaml").write_text(block.text, encoding="utf-8")
    if "cases" in data:
        cases = tmp / f"doc-cases-{n}.yaml"
        cases.write_text(block.text, encoding="utf-8")
        results = run_ruleset_tests(cases)
        failed = [f"{r.name}: {r.problems}" for r in results if not r.passed]
        assert results, f"{block.where}: no case ran"
        assert failed == [], f"{block.where}: {ruleset_test_summary(results)}: {failed}"
    elif "steps" in data:
        world = load_world(tmp / f"doc-world-{n}.yaml")
        clock = jr.ManualClock(world.clock)
        store = jr.MemoryStore()
        play_world(jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock), clock,
                   world)
        assert store.streams(), f"{block.where}: the world recorded nothing"
    elif isinstance(data.get("ruleset"), dict):
        file = tmp / f"{data['ruleset']['id']}.yaml"
        file.write_text(block.text, encoding="utf-8")
        jr.load_ruleset(file)
    else:
        unknown = set(data) - SECTIONS
        assert not unknown, (f"{block.where}: not a case file, ruleset or ruleset section "
                             f"({sorted(unknown)}); mark it <!-- not-run: reason -->")
        fragment = {"ruleset": {"id": f"doc-fragment-{n}", "extends": jr.policy.DEFAULT_RULESET},
                    **data}
        jr.loads_ruleset(yaml.safe_dump(fragment, allow_unicode=True), block.where)


def _run_toml(block: Block) -> None:
    data = tomllib.loads(block.text)
    groups = data.get("project", {}).get("entry-points", {})
    assert set(groups) <= ENTRY_POINT_GROUPS, f"{block.where}: unknown entry point groups"


RUNNABLE = [path for path in DOCS if any(b.skip is None for b in blocks(path))]


@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_guide_runs_as_written(path: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("JOURNAL_RULES_")]:
        monkeypatch.delenv(name)
    namespace: dict[str, Any] = {"__name__": f"doc_{path.stem}"}
    ran = 0
    for n, block in enumerate(blocks(path)):
        if block.skip is not None:
            continue
        if block.lang == "python":
            _run_python(block, namespace, tmp_path, n)
        elif block.lang in SHELLS:
            _run_shell(block, tmp_path)
        elif block.lang == "yaml":
            _run_yaml(block, tmp_path, n)
        elif block.lang == "toml":
            _run_toml(block)
        else:
            continue
        ran += 1
    assert ran > 0
