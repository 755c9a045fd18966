"""nbgrader's subprocesses find ``alembic`` even when the venv was never activated."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.nbgrader.environment import missing_program_advice, with_scripts_on_path

CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"


def test_the_interpreters_scripts_come_first_once():
    folder = str(Path(sys.executable).parent)
    child = with_scripts_on_path({"PATH": f"{CLEAN_PATH}{os.pathsep}{folder}", "HOME": "/h"})
    assert child["PATH"].split(os.pathsep) == [folder, *CLEAN_PATH.split(os.pathsep)]
    assert child["HOME"] == "/h"


def test_alembic_is_found_through_the_scripts_folder():
    assert (Path(sys.executable).parent / "alembic").exists(), "the nbgrader extra installs alembic beside python"
    assert missing_program_advice(with_scripts_on_path({"PATH": CLEAN_PATH})["PATH"]) is None


def test_a_path_without_the_venv_gets_one_line_of_advice():
    advice = missing_program_advice("/nonexistent")
    assert advice is not None and "\n" not in advice
    assert "activate" in advice and str(Path(sys.executable).parent) in advice


def test_grader_nbgrader_works_and_warns_when_the_shell_cannot_find_alembic(tmp_path, monkeypatch):
    """`grader nbgrader source` opens nbgrader's gradebook (a new one runs alembic) from a venv that
    was not activated, then warns that the user's own `nbgrader ...` commands would fail from this shell."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(tmp_path / 'gradebook.db')!r}\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id,name\ns1,Student One\n", encoding="utf-8")
    assignment = tmp_path / "hw.toml"
    assignment.write_text('id = "hw"\nsalt = "k3J9-vQ2x-Lm8P-r4Tz-a7Wc"\n\n[[questions]]\nid = "q1"\n'
                          'family = "gd_linear"\n', encoding="utf-8")
    monkeypatch.chdir(course)
    monkeypatch.setenv("PATH", CLEAN_PATH)
    command = ["nbgrader", "source", str(assignment), "--course", str(course), "--roster", str(tmp_path / "roster.csv")]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    assert "warning: nbgrader runs 'alembic'" in result.output
    monkeypatch.setenv("PATH", with_scripts_on_path({"PATH": CLEAN_PATH})["PATH"])
    quiet = CliRunner().invoke(main, [*command, "--force"])
    assert quiet.exit_code == 0 and "warning" not in quiet.output, quiet.output
