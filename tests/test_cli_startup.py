"""`grader --help` and `grader list` start without importing sympy; what they print is unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from grader.cli import LAZY, main
from grader.cli.catalog import catalog
from grader.families import FAMILIES

PROBE = """
import contextlib, io, json, sys
from grader.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main({args!r}, prog_name="grader")
    except SystemExit:
        pass
print(json.dumps({{"out": out.getvalue(), "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                   ("sympy", "numpy", "grader"))}}))
"""


def _run(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(done.stdout)


@pytest.mark.parametrize("args", [["--help"], ["list"], ["list", "--json", "--lang", "zh"]])
def test_help_and_list_do_not_import_sympy_or_numpy(args):
    modules = _run(args)["modules"]
    assert not [m for m in modules if m.split(".")[0] in ("sympy", "numpy")]
    assert "grader.families" not in modules and "grader.course.grade" not in modules
    assert "grader.course.generate" not in modules


def test_list_without_sympy_prints_every_family_as_the_registry_has_it():
    listed = json.loads(_run(["list", "--json", "--lang", "zh"])["out"])
    assert listed == {f.name: {"version": f.version, "summary": f.summary["zh"]} for f in FAMILIES.values()}
    text = _run(["list"])["out"].splitlines()
    assert [line.split()[0] for line in text] == list(FAMILIES)


def test_catalog_matches_the_registry_in_order():
    assert [(e.name, e.version, dict(e.summary)) for e in catalog()] == [
        (f.name, f.version, dict(f.summary)) for f in FAMILIES.values()]


def test_help_lists_each_lazy_command_as_the_command_itself_would():
    help_text = _run(["--help"])["out"]
    ctx = click.Context(main)
    for name, (_, short) in LAZY.items():
        command = main.get_command(ctx, name)
        assert command is not None
        for limit in (40, 60, 200):
            assert click.Command(name, help=short).get_short_help_str(limit) == command.get_short_help_str(limit), name
        assert f"  {name} " in help_text
    assert set(main.list_commands(ctx)) >= set(LAZY)


def test_a_lazy_subcommand_still_runs():
    assert "Usage: grader generate" in _run(["generate", "--help"])["out"]


def test_show_imports_the_families_but_no_grading_quiz_or_adapters():
    modules = _run(["show", "gd_linear", "--canonical"])["modules"]
    assert "grader.families" in modules and "sympy" in modules
    unused = ("grader.course.grade", "grader.course.generate", "grader.core.grading", "grader.quiz",
              "grader.nbgrader", "grader.code", "grader.course.export")
    assert not [m for m in modules if m.startswith(unused)]
