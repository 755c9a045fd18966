"""The identity rules: whose numbers a notebook shows, normalised ids, the course's student list."""

from __future__ import annotations

import pytest

from grader.nbgrader.identity import normalize_id, resolve

AUTOGRADE = {"NBGRADER_EXECUTION": "autograde"}

# env, typed STUDENT_ID -> student, source, problem
CASES = [
    ({"JUPYTERHUB_USER": "alice"}, None, ("alice", "hub", None)),
    ({"JUPYTERHUB_USER": "alice"}, "alice", ("alice", "hub", None)),
    ({"JUPYTERHUB_USER": "alice"}, "carol", ("alice", "hub", "typed_differs")),
    ({}, "s123", ("s123", "typed", None)),
    ({}, 4711, ("4711", "typed", None)),  # typed without quotes
    ({}, "  s123 ", ("s123", "typed", None)),
    ({}, "   ", (None, "none", "no_id")),
    ({}, None, (None, "none", "no_id")),
    ({"JUPYTERHUB_USER": ""}, None, (None, "none", "no_id")),
    # nbgrader validate (the student's Validate button) follows the working rules
    ({"NBGRADER_EXECUTION": "validate", "JUPYTERHUB_USER": "alice"}, None, ("alice", "hub", None)),
    # autograde: the grader's own hub account never counts (and nothing here is graded)
    ({**AUTOGRADE, "JUPYTERHUB_USER": "teacher"}, "bob", ("bob", "typed", None)),
    ({**AUTOGRADE, "JUPYTERHUB_USER": "teacher"}, None, (None, "none", "no_id")),
]


@pytest.mark.parametrize(("env", "typed", "expected"), CASES)
def test_identity_rules(env, typed, expected):
    who = resolve(env, typed)
    assert (who.student, who.source, who.problem) == expected
    assert who.autograde == (env.get("NBGRADER_EXECUTION") == "autograde")


@pytest.mark.parametrize(("typed", "same_as"), [
    ("Zoe\u0308", "Zo\u00eb"),          # a combining diaeresis is the precomposed letter (NFC)
    ("\u00c5ngstr\u00f6m ", "A\u030angstro\u0308m"),
    ("\u3000\u534e\u7f57\u5e9a\n", "\u534e\u7f57\u5e9a"),  # an ideographic space around a Chinese name
])
def test_ids_are_normalised(typed, same_as):
    assert normalize_id(typed) == normalize_id(same_as)
    assert resolve({}, typed, students={normalize_id(same_as)}).problem is None


def test_an_id_off_the_course_list_shows_no_numbers_and_says_why():
    who = resolve({}, "bbo", students={"bob", "alice"})
    assert (who.student, who.problem, who.wanted) == (None, "not_on_list", "bbo")
    hub = resolve({"JUPYTERHUB_USER": "newcomer"}, None, students={"bob"})
    assert (hub.student, hub.problem) == (None, "not_on_list")


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
    who = resolve({"JUPYTERHUB_USER": "alice"}, typed, system_user)
    assert (who.student, who.source, who.problem) == expected


@pytest.mark.parametrize("system_user", ["jovyan", "alice", "jupyter-alice"])
def test_working_id_agrees_with_nbgraders_get_username(monkeypatch, system_user):
    """The id shown while working is the one nbgrader's own submit code would use."""
    utils = pytest.importorskip("nbgrader.utils")
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    monkeypatch.setattr(utils, "get_osusername", lambda: system_user)
    assert resolve({"JUPYTERHUB_USER": "alice"}, None, system_user).student == utils.get_username()
