"""The identity rules: whose variant a notebook shows and grades, and when the teacher is told."""

from __future__ import annotations

import os

import pytest

from grader.nbgrader.identity import nbgrader_student, resolve

AUTOGRADE = {"NBGRADER_EXECUTION": "autograde"}
GRADED_CWD = "/srv/course/autograded/bob/hw1"

# env, cwd, typed STUDENT_ID -> student, source, problem, flagged
CASES = [
    ({"JUPYTERHUB_USER": "alice"}, "/home/alice/hw1", None, ("alice", "hub", None, False)),
    ({"JUPYTERHUB_USER": "alice"}, "/home/alice/hw1", "alice", ("alice", "hub", None, False)),
    ({"JUPYTERHUB_USER": "alice"}, "/home/alice/hw1", "carol", ("alice", "hub", "typed_differs", False)),
    ({}, "/laptop/hw1", "s123", ("s123", "typed", None, False)),
    ({}, "/laptop/hw1", 4711, ("4711", "typed", None, False)),  # typed without quotes
    ({}, "/laptop/hw1", "  s123 ", ("s123", "typed", None, False)),
    ({}, "/laptop/hw1", "   ", (None, "none", "no_id", False)),
    ({}, "/laptop/hw1", None, (None, "none", "no_id", False)),
    ({"JUPYTERHUB_USER": ""}, "/laptop/hw1", None, (None, "none", "no_id", False)),
    # nbgrader validate (the student's Validate button) follows the working rules
    ({"NBGRADER_EXECUTION": "validate", "JUPYTERHUB_USER": "alice"}, "/home/alice/hw1", None,
     ("alice", "hub", None, False)),
    # autograde: nbgrader's id from the working directory, and nothing else
    (AUTOGRADE, GRADED_CWD, None, ("bob", "nbgrader", None, False)),
    (AUTOGRADE, GRADED_CWD, "bob", ("bob", "nbgrader", None, False)),
    ({**AUTOGRADE, "JUPYTERHUB_USER": "teacher"}, GRADED_CWD, None, ("bob", "nbgrader", None, False)),
    (AUTOGRADE, GRADED_CWD, "alice", ("bob", "nbgrader", "mismatch", True)),
    ({**AUTOGRADE, "JUPYTERHUB_USER": "alice"}, GRADED_CWD, "alice", ("bob", "nbgrader", "mismatch", True)),
    (AUTOGRADE, "/hw1", None, (None, "nbgrader", "unknown_nbgrader_id", True)),
    (AUTOGRADE, "/", "alice", (None, "nbgrader", "unknown_nbgrader_id", True)),
    ({**AUTOGRADE, "GRADER_DIRECTORY_STRUCTURE": "{nbgrader_step}/{assignment_id}/{student_id}"},
     "/srv/course/autograded/hw1/carol", None, ("carol", "nbgrader", None, False)),
]


@pytest.mark.parametrize(("env", "cwd", "typed", "expected"), CASES)
def test_identity_rules(env, cwd, typed, expected):
    who = resolve(env, cwd, typed)
    assert (who.student, who.source, who.problem, who.flagged) == expected
    if who.autograde:
        assert who.hub is None  # the grader's own hub account never counts


# nbgrader submit files under the system user name, or JUPYTERHUB_USER when that is "jovyan"
@pytest.mark.parametrize(("system_user", "typed", "expected"), [
    ("jovyan", None, ("alice", "hub", None)),           # Docker / Kubernetes images
    ("alice", None, ("alice", "hub", None)),            # system users named after hub users
    (None, None, ("alice", "hub", None)),               # the system user cannot be told
    ("jupyter-alice", None, ("jupyter-alice", "system", None)),  # The Littlest JupyterHub
    ("jupyter-alice", "alice", ("jupyter-alice", "system", "typed_differs")),
    ("jupyter-alice", "jupyter-alice", ("jupyter-alice", "system", None)),
])
def test_working_id_is_the_one_nbgrader_submits_under(system_user, typed, expected):
    who = resolve({"JUPYTERHUB_USER": "alice"}, "/home/jupyter-alice/hw1", typed, system_user)
    assert (who.student, who.source, who.problem) == expected


@pytest.mark.parametrize("system_user", ["jovyan", "alice", "jupyter-alice"])
def test_working_id_agrees_with_nbgraders_get_username(monkeypatch, system_user):
    """The id shown while working is the one nbgrader's own submit code would use."""
    utils = pytest.importorskip("nbgrader.utils")
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    monkeypatch.setattr(utils, "get_osusername", lambda: system_user)
    assert resolve({"JUPYTERHUB_USER": "alice"}, "/home/x/hw1", None, system_user).student == utils.get_username()


@pytest.mark.parametrize(("cwd", "structure", "student"), [
    ("/c/autograded/s1/hw1", "{nbgrader_step}/{student_id}/{assignment_id}", "s1"),
    ("autograded/s1/hw1", "{nbgrader_step}/{student_id}/{assignment_id}", "s1"),
    ("/c/autograded/hw1/s1", "{nbgrader_step}/{assignment_id}/{student_id}", "s1"),
    ("/c/by-student/id-s1/autograded/hw1", "by-student/id-{student_id}/{nbgrader_step}/{assignment_id}", "s1"),
    ("/c/by-class/id-s1/autograded/hw1", "by-student/id-{student_id}/{nbgrader_step}/{assignment_id}", None),
    ("/c/autograded/s1/hw1", "{nbgrader_step}/{assignment_id}", None),  # no student in the structure
    ("/c/autograded/s1/hw1", "", None),
    ("/c/x/s1/hw1", "{nbgrader_step}/{student_id}-{student_id}/{assignment_id}", None),
])
def test_student_from_directory(cwd, structure, student):
    assert nbgrader_student(cwd, structure) == student


@pytest.mark.parametrize("structure", [
    None,
    os.path.join("{nbgrader_step}", "{assignment_id}", "{student_id}"),
    os.path.join("term", "{student_id}", "{nbgrader_step}", "{assignment_id}"),
])
def test_rule_agrees_with_nbgraders_own_paths(tmp_path, structure):
    """The directory nbgrader autogrades a student's notebook in is where the rule finds the id."""
    coursedir = pytest.importorskip("nbgrader.coursedir")
    course = coursedir.CourseDirectory(root=str(tmp_path))
    if structure is not None:
        course.directory_structure = structure
    path = course.format_path(course.autograded_directory, "s-042", "hw1")
    assert nbgrader_student(path, course.directory_structure) == "s-042"
    env = {**AUTOGRADE, **({"GRADER_DIRECTORY_STRUCTURE": structure} if structure else {})}
    assert resolve(env, path, "s-042").problem is None
