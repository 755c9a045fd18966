"""Whose variant a notebook shows and grades: the identity rules, as a pure function.

While the student works (and when they press nbgrader's *Validate*):

1. on JupyterHub, the hub user name (``JUPYTERHUB_USER``, which JupyterHub sets in every
   single-user server). ``nbgrader submit`` files a submission under the system user name, or
   under ``JUPYTERHUB_USER`` when the system user is ``jovyan`` (the Docker and Kubernetes
   images); in the rare hub whose system user is neither, the system user name is used, since
   that is the id nbgrader will grade under, and the student is told;
2. otherwise the ``STUDENT_ID`` the student typed once in the notebook's first code cell;
3. otherwise nobody: the notebook asks for ``STUDENT_ID`` and shows no numbers.

If ``STUDENT_ID`` is also set and differs, the hub's id wins (it is the id nbgrader will grade
under) and the student is warned.

While ``nbgrader autograde`` runs (nbgrader sets ``NBGRADER_EXECUTION=autograde`` in the
kernel's environment) the only authority is nbgrader's own student id. nbgrader does not pass
it to the kernel by name; it starts the kernel in the directory of the notebook it executes,
``<course>/autograded/<student_id>/<assignment_id>/`` under its default
``CourseDirectory.directory_structure`` (``{nbgrader_step}/{student_id}/{assignment_id}``), so
the student id is read from the kernel's working directory. A course with another
``directory_structure`` sets the same format string in the kernel's environment as
``GRADER_DIRECTORY_STRUCTURE``. ``JUPYTERHUB_USER`` is ignored while autograding: it is the
grader's own account.

At autograde the typed ``STUDENT_ID`` (kept in the submitted notebook) is compared with
nbgrader's id. If they differ, or nbgrader's id cannot be read, the identity carries a
``problem`` and :attr:`Identity.flagged` is true: the test cells say so and the teacher is
told. The answers are graded against nbgrader's student's own variant, never another's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

DEFAULT_STRUCTURE = "{nbgrader_step}/{student_id}/{assignment_id}"
STRUCTURE_VARIABLE = "GRADER_DIRECTORY_STRUCTURE"
FIELDS = ("nbgrader_step", "student_id", "assignment_id")

Source = Literal["nbgrader", "hub", "system", "typed", "none"]
Problem = Literal["mismatch", "unknown_nbgrader_id", "typed_differs", "no_id"]
SHARED_SYSTEM_USER = "jovyan"  # nbgrader's get_username() reads JUPYTERHUB_USER only for this one


@dataclass(frozen=True)
class Identity:
    """Who the notebook is for and how that was decided.

    ``student`` is the id whose variant is shown and graded (None when there is none);
    ``typed`` the notebook's ``STUDENT_ID``, ``hub`` the JupyterHub user name (None while
    autograding); ``problem`` names what went wrong, if anything.
    """

    student: str | None
    source: Source
    autograde: bool = False
    typed: str | None = None
    hub: str | None = None
    problem: Problem | None = None
    cwd: str = ""
    structure: str = DEFAULT_STRUCTURE

    @property
    def flagged(self) -> bool:
        """Whether the teacher must look at this submission (only while autograding)."""
        return self.autograde and self.problem is not None


def resolve(env: Mapping[str, str], cwd: str, typed: object = None, system_user: str | None = None) -> Identity:
    """Apply the identity rules of the module docstring (``system_user``: the kernel's OS user name).

    >>> resolve({"JUPYTERHUB_USER": "alice"}, "/home/alice/hw1").student
    'alice'
    >>> who = resolve({"NBGRADER_EXECUTION": "autograde"}, "/course/autograded/bob/hw1", "alice")
    >>> (who.student, who.problem, who.flagged)
    ('bob', 'mismatch', True)
    """
    typed_id = _clean(typed)
    if env.get("NBGRADER_EXECUTION") == "autograde":
        structure = env.get(STRUCTURE_VARIABLE) or DEFAULT_STRUCTURE
        graded = nbgrader_student(cwd, structure)
        problem: Problem | None = None
        if graded is None:
            problem = "unknown_nbgrader_id"
        elif typed_id is not None and typed_id != graded:
            problem = "mismatch"
        return Identity(graded, "nbgrader", True, typed_id, None, problem, cwd, structure)
    hub = _clean(env.get("JUPYTERHUB_USER"))
    if hub is not None:
        submits_as, source = hub, "hub"
        if system_user not in (None, "", SHARED_SYSTEM_USER, hub):
            submits_as, source = system_user, "system"
        problem = "typed_differs" if typed_id is not None and typed_id != submits_as else None
        return Identity(submits_as, source, False, typed_id, hub, problem, cwd)
    if typed_id is not None:
        return Identity(typed_id, "typed", False, typed_id, None, None, cwd)
    return Identity(None, "none", False, None, None, "no_id", cwd)


def nbgrader_student(cwd: str, structure: str = DEFAULT_STRUCTURE) -> str | None:
    """nbgrader's student id from the kernel's working directory, or None if it does not fit.

    The last components of ``cwd`` are matched against ``structure`` (nbgrader's
    ``CourseDirectory.directory_structure``), each component on its own.

    >>> nbgrader_student("/srv/course/autograded/s123/hw1")
    's123'
    >>> nbgrader_student("/srv/course/by-id/s123/autograded/hw1", "by-id/{student_id}/{nbgrader_step}/{assignment_id}")
    's123'
    """
    parts = [p for p in re.split(r"[\\/]+", structure) if p]
    if not parts or not any("{student_id}" in p for p in parts):
        return None
    path = PurePath(cwd).parts
    if len(path) < len(parts):
        return None
    found: dict[str, str] = {}
    for pattern, name in zip(parts, path[-len(parts):], strict=True):
        try:
            match = re.fullmatch(_regex(pattern), name)
        except re.error:  # a field named twice in one component
            return None
        if match is None:
            return None
        for key, value in match.groupdict().items():
            if found.setdefault(key, value) != value:
                return None
    return found.get("student_id") or None


def _regex(component: str) -> str:
    pieces = re.split(r"(\{(?:" + "|".join(FIELDS) + r")\})", component)
    out = []
    for piece in pieces:
        name = piece[1:-1] if piece[1:-1] in FIELDS and piece.startswith("{") else None
        out.append(f"(?P<{name}>.+?)" if name else re.escape(piece))
    return "".join(out)


def _clean(value: object) -> str | None:
    """An id as text, or None when blank; numbers typed without quotes are accepted as text."""
    if value is None or value is Ellipsis or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None
