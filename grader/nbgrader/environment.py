"""The environment nbgrader needs from the shell it is started in.

nbgrader runs ``alembic`` as a program found on ``PATH``. In a virtual environment that was
not activated (``.venv/bin/nbgrader ...``, ``.venv/bin/python -m pytest``), the venv's
``bin/`` is not on ``PATH`` and every command that opens the gradebook fails. These helpers
put the running interpreter's own scripts folder first, and say in one line what to do when
nbgrader would fail.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path


def scripts_folder() -> Path:
    """The folder holding the running interpreter's console scripts (a venv's ``bin/``)."""
    return Path(sys.executable).parent


def with_scripts_on_path(environment: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``environment`` whose PATH starts with :func:`scripts_folder`."""
    child = dict(environment)
    folder = str(scripts_folder())
    parts = [p for p in child.get("PATH", "").split(os.pathsep) if p and p != folder]
    child["PATH"] = os.pathsep.join([folder, *parts])
    return child


def missing_program_advice(path: str | None = None) -> str | None:
    """One line telling how to make ``alembic`` reachable, or None when nbgrader will find it."""
    if shutil.which("alembic", path=path if path is not None else os.environ.get("PATH", "")):
        return None
    folder = scripts_folder()
    if (folder / "alembic").exists():
        return (f"nbgrader runs 'alembic' from PATH, which does not include {folder}: "
                f"activate the environment (source {folder / 'activate'}) or run "
                f"export PATH=\"{folder}:$PATH\" before running nbgrader")
    return ("nbgrader runs 'alembic', which is not installed here: "
            "pip install '.[nbgrader]' from the gdbp-grader repository")
