"""The bundled class, end to end, byte for byte: sheets, key, gradebook, reports and summary.

A restructuring or a speed-up must not change what a user sees. The snapshot in
``tests/data/bundled_class/`` was written by the commands below at the commit that added it;
an intended change of output is made by re-running ``scripts/snapshot-bundled-class.sh`` and
committing the new snapshot with the reason. Pictures (PNG files, and the base64 images inside
``summary.html``) are left out: their bytes belong to matplotlib's version, not to this package.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).parent / "data" / "bundled_class"
IMAGE = re.compile(rb"data:image/png;base64,[A-Za-z0-9+/=]+")


def comparable(path: Path) -> bytes:
    """A file's bytes with its embedded pictures replaced by a placeholder."""
    return IMAGE.sub(b"data:image/png;base64,PICTURE", path.read_bytes())


def files(folder: Path) -> dict[str, bytes]:
    """Every non-picture file under a folder, by its relative path."""
    return {p.relative_to(folder).as_posix(): comparable(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".png"}


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> Path:
    """The README's first command, run on the bundled example into a fresh folder."""
    out = tmp_path_factory.mktemp("bundled")
    runner = CliRunner()
    for args in (["generate", str(ROOT / "examples/hw1.toml"), "--roster", str(ROOT / "examples/roster.csv"),
                  "--out", str(out / "sheets")],
                 ["grade", str(ROOT / "examples/hw1.toml"), str(ROOT / "examples/submissions"),
                  "--out", str(out / "graded")]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("part", ["sheets", "graded"])
def test_the_bundled_class_is_byte_identical_to_its_snapshot(produced, part):
    expected, actual = files(SNAPSHOT / part), files(produced / part)
    assert sorted(actual) == sorted(expected), "the set of files written changed"
    changed = [name for name in expected if actual[name] != expected[name]]
    assert not changed, f"changed files (re-run scripts/snapshot-bundled-class.sh if intended): {changed}"
