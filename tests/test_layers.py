"""What the import contract (pyproject.toml, `lint-imports` in CI) cannot see: the pure layers
neither print nor touch files, and the layout keeps the entry point and the package list."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest

import grader

PACKAGE = Path(grader.__file__).resolve().parent
PURE = ("core", "reading", "maths", "text")
FORBIDDEN_CALLS = {"print", "open", "input", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {"write_text", "write_bytes", "read_text", "read_bytes", "stdout", "stderr", "echo"}


def offences(source: str) -> list[str]:
    """The calls and attributes of ``source`` that print or touch files, with their lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            found.append(f"line {node.lineno}: {node.func.id}()")
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("layer", PURE)
def test_the_pure_layers_neither_print_nor_touch_files(layer):
    modules = sorted((PACKAGE / layer).rglob("*.py"))
    assert modules
    bad = {str(m.relative_to(PACKAGE)): offences(m.read_text(encoding="utf-8")) for m in modules}
    assert {m: o for m, o in bad.items() if o} == {}


@pytest.mark.parametrize("source, expected", [
    ("print('x')", ["line 1: print()"]),
    ("from pathlib import Path\nPath('a').write_text('b')", ["line 2: .write_text"]),
    ("import sys\nsys.stdout.write('x')", ["line 2: .stdout"]),
    ("def f(x):\n    return x + 1", []),
])
def test_the_scan_finds_printing_and_files(source, expected):
    assert offences(source) == expected


def test_every_layer_is_a_package():
    for layer in (*PURE, "families", "declared", "code", "course", "course/export", "quiz", "nbgrader", "cli"):
        assert (PACKAGE / layer / "__init__.py").is_file(), layer


def test_the_entry_point_is_still_grader_cli_main():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "grader"]
    assert script.value == "grader.cli:main"
    assert isinstance(script.load(), click.Group)
