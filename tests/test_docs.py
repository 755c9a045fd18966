"""The documentation: the site builds with warnings as errors, and every command it shows runs.

The commands are the lines of the fenced ``sh`` blocks of README.md and of every page under
docs/, in the order of the site's navigation (README first), so that a page may use what an
earlier one made, as a reader following them would (the export page uses the tutorial's
graded class). Each runs with bash in one copy of the repository, with this venv's ``bin`` first
on PATH, standard input closed and a time bound. Three kinds of exception, each listed here with
its reason, and each list checked to be exactly what the pages hold:

- NOT_RUN: blocks marked ``<!-- not run: why -->`` on the line before them, for commands that
  need a network or another system;
- DRY_RUN: commands that cannot run inside this test, replaced by a ``--help``-level check;
- FAILS: commands whose documented outcome is a failure, with the text that shows it is that one.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECONDS = 600  # per command: generous, the machine running the tests may be loaded

NOT_RUN = {
    ("docs/install.md", "pip install 'gdbp-grader[nbgrader] @ git+https://YOUR-GIT-HOST/OWNER/gdbp-grader.git'"),
    ("docs/nbgrader.md", "nbgrader generate_assignment hw1"),
}

# The README's set-up prefix makes the venv this test already runs in (.ci/run runs it for real).
SETUP = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && "

DRY_RUN = [
    # (pattern, replacement, why)
    (r"^python -m pytest$", "python -m pytest --version",
     "the test suite itself: running it from inside the suite would recurse; .ci/run runs this line"),
    (r"^pip wheel .*", "pip wheel --help",
     "building a wheel takes half a minute; .ci/wheel-install-check.sh builds and installs one in CI"),
    (r"^python (benchmarks/bench_\w+\.py)\b.*", r"python \1 --help",
     "a benchmark takes minutes of CPU; its page under docs/benchmarks/ is its recorded run"),
    (r"^grader nbgrader (source|grade|flags)\b.*", r"grader nbgrader \1 --help",
     "needs an nbgrader course with its gradebook database and submissions; "
     "tests/test_nbgrader_e2e.py runs these commands on a real course"),
    (r"^pip install ('?)/path/to/gdbp-grader(\S*).*", r"pip install --dry-run --no-deps \1.\2",
     "installing would change the venv the tests run in; a dry run builds the package's metadata from the path"),
]

FAILS = {
    "cd exercises && pytest": "NotImplementedError",  # the stubs are unfinished until a student fills them in
}


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page: its language, first line number, lines, and not-run reason."""

    page: str
    language: str
    line: int
    lines: tuple[str, ...]
    not_run: str | None


def pages() -> list[str]:
    """README.md, then the site's pages in navigation order, then any page the navigation leaves out."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(node) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [page for item in node for page in walk(item)]
        return [page for value in node.values() for page in walk(value)]

    # a page missing from docs/ fails the build test
    ordered = [f"docs/{page}" for page in walk(config["nav"]) if (ROOT / "docs" / page).exists()]
    others = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))
    return ["README.md", *ordered, *(p for p in others if p not in ordered)]


def blocks(page: str) -> list[Block]:
    """The fenced code blocks of a page (fences may be indented, as in a list)."""
    found, lines = [], (ROOT / page).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        indent, start = fence.group(1), i
        body = []
        i += 1
        while lines[i].strip() != "```":
            body.append(lines[i].removeprefix(indent))
            i += 1
        before = lines[start - 1].strip() if start else ""
        marked = re.fullmatch(r"<!-- not run: (.+) -->", before)
        found.append(Block(page, fence.group(2), start + 1, tuple(body), marked and marked.group(1)))
        i += 1
    return found


def commands(block: Block) -> list[str]:
    """A block's commands: one a line, continuation lines joined, blank lines and comments left out."""
    text = "\n".join(block.lines).replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def all_blocks() -> list[Block]:
    """Every fenced block of every page."""
    return [block for page in pages() for block in blocks(page)]


def runnable() -> list[tuple[str, int, str]]:
    """(page, line, command) for every command of an ``sh`` block not marked as not run."""
    return [(b.page, b.line, command) for b in all_blocks() if b.language == "sh" and not b.not_run
            for command in commands(b)]


def as_run(command: str) -> tuple[str, str | None]:
    """The command this test runs for a documented one, and why it differs, if it does."""
    if command.startswith(SETUP):
        command = command.removeprefix(SETUP).replace(".venv/bin/", "")
    parts, reasons = [], []
    for part in command.split(" && "):
        for pattern, replacement, why in DRY_RUN:
            if re.match(pattern, part):
                part = re.sub(pattern, replacement, part)
                reasons.append(why)
        parts.append(part)
    return " && ".join(parts), "; ".join(reasons) or None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A copy of the repository (without venv, git and outputs) and the files the pages assume exist."""
    work = tmp_path_factory.mktemp("docs") / "repo"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(
        ".venv", ".git", "out", "site", "build", "dist", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"))
    # The declaration the families pages check: the complete example of the authoring guide.
    (work / "my_family.toml").write_text(first_block("docs/authoring-families.md", "toml"), encoding="utf-8")
    # The Canvas export the exports page feeds to `grader export canvas`: the one shown there.
    (work / "canvas_export.csv").write_text(first_block("docs/exports.md", "csv"), encoding="utf-8")
    (work / "home").mkdir()
    return work


def first_block(page: str, language: str) -> str:
    """The text of a page's first block in a language."""
    block = next(b for b in blocks(page) if b.language == language)
    return "\n".join(block.lines) + "\n"


RESULTS: dict[tuple[str, ...], subprocess.CompletedProcess] = {}


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command with bash in cwd: this venv's bin first on PATH, no input, a time bound.

    A command shown on several pages (differing only in its comment) runs once.
    """
    key = tuple(shlex.split(command, comments=True))
    if key not in RESULTS:
        RESULTS[key] = execute(command, cwd)
    return RESULTS[key]


def execute(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command with bash in cwd, as :func:`run` says."""
    env = {
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(cwd / "home"),
        "GRADER_DATA_DIR": str(cwd / "home" / "grader-data"),
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
        **{k: os.environ[k] for k in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT",
                                      "PIP_CONFIG_FILE", "PIP_CONSTRAINT") if k in os.environ},
    }
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=SECONDS)


@pytest.mark.parametrize(("page", "line", "command"), runnable(), ids=lambda v: str(v)[:70])
def test_every_shown_command_runs(page, line, command, workdir):
    ran, why = as_run(command)
    result = run(ran, workdir)
    output = result.stdout + result.stderr
    where = f"{page}:{line}: {command}\n(ran: {ran}{'; ' + why if why else ''})\n{output[-3000:]}"
    if command in FAILS:
        assert result.returncode != 0 and FAILS[command] in output, where
    else:
        assert result.returncode == 0, where
        assert "Traceback (most recent call last)" not in output, where


def test_the_blocks_not_run_are_exactly_the_listed_exceptions():
    marked = {(b.page, commands(b)[0]) for b in all_blocks() if b.not_run}
    assert marked == NOT_RUN


def test_every_exception_is_used():
    shown = [command for _, _, command in runnable()]
    for pattern, _, why in DRY_RUN:
        assert any(why in (as_run(c)[1] or "") for c in shown), pattern
    assert set(FAILS) <= set(shown)


def test_commands_are_only_shown_in_sh_blocks():
    """A command shown any other way (a console transcript, an indented block) would escape the test above."""
    for block in all_blocks():
        assert block.language in {"sh", "text", "toml", "python", "csv", "json"}, (block.page, block.line)
        if block.language in {"text", "toml", "csv"}:
            assert not any(line.startswith(("$ ", "grader ", "python ", "pip ")) for line in block.lines), \
                (block.page, block.line)
    for page in pages():
        text = (ROOT / page).read_text(encoding="utf-8")
        assert not re.search(r"(?m)^( {4})+(\$ |grader |python |pip |pytest)", without_fences(text)), page


def without_fences(text: str) -> str:
    """A page's text without its fenced blocks."""
    return re.sub(r"(?ms)^\s*```.*?^\s*```\s*$", "", text)


def test_the_readme_keeps_the_two_commands_ci_runs():
    """.ci/run takes the test command from the README's sh blocks: both lines stay exactly as they are."""
    first = next(b for b in blocks("README.md") if b.language == "sh")
    assert first.lines == (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/grader generate "
        "examples/hw1.toml --roster examples/roster.csv --out out/sheets && .venv/bin/grader grade "
        "examples/hw1.toml examples/submissions --out out/graded",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]' && .venv/bin/ruff check . && "
        ".venv/bin/python -m pytest",
    )


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=SECONDS)
    assert result.returncode == 0, result.stderr[-3000:]
    families = (tmp_path / "site" / "families" / "index.html").read_text(encoding="utf-8")
    from grader.families import FAMILIES

    for name in FAMILIES:  # the generated reference has a section for every registered family
        assert f'id="{name}"' in families, name


def test_the_readme_family_table_lists_every_registered_family_and_how_it_is_written():
    """The front page's table names each family of the registry, in its order, and says which are declared."""
    from grader.declared import bundled
    from grader.families import FAMILIES

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## The exercise families"):text.index("## Documentation")]
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| `")]
    assert [row[1].strip().strip("`") for row in rows] == list(FAMILIES)
    declared = {f.name for f in bundled()}
    assert {row[1].strip().strip("`") for row in rows if "declared" in row[3]} == declared
