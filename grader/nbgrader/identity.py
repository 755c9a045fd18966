"""Whose numbers a notebook shows while the student works: the identity rules, as a pure function.

1. On JupyterHub, the hub user name (``JUPYTERHUB_USER``, which JupyterHub sets in every
   single-user server). ``nbgrader submit`` files a submission under the system user name, or
   under ``JUPYTERHUB_USER`` when the system user is ``jovyan`` (the Docker and Kubernetes
   images); in the rare hub whose system user is neither, the system user name is used, since
   that is the id nbgrader will grade under, and the student is told.
2. Otherwise the ``STUDENT_ID`` the student typed once in the notebook's first code cell.
3. Otherwise nobody: the notebook asks for ``STUDENT_ID`` and shows no numbers.

Ids are normalised (Unicode NFC, surrounding space removed), so ``"Zoë "`` typed with a
combining accent is the same student as ``Zoë``. When the notebook carries the course's
student list (see :mod:`grader.nbgrader.notebook`), an id not on it is named as such.

The identity decides only what is *shown*. While ``nbgrader autograde`` runs (nbgrader sets
``NBGRADER_EXECUTION=autograde``) the kernel records the answers and grades nothing: the
student whose key grades them is nbgrader's own, read from its gradebook by
``grader nbgrader grade`` (:mod:`grader.nbgrader.course`), never from anything in the kernel.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

Source = Literal["hub", "system", "typed", "none"]
Problem = Literal["typed_differs", "no_id", "not_on_list"]
SHARED_SYSTEM_USER = "jovyan"  # nbgrader's get_username() reads JUPYTERHUB_USER only for this one


@dataclass(frozen=True)
class Identity:
    """Who the notebook is for and how that was decided.

    ``student`` is the id whose numbers are shown (None when there is none, or when it is not
    on the course's list); ``typed`` the notebook's ``STUDENT_ID``, ``hub`` the JupyterHub user
    name; ``wanted`` the id that was looked for; ``problem`` names what went wrong, if anything.
    """

    student: str | None
    source: Source
    autograde: bool = False
    typed: str | None = None
    hub: str | None = None
    problem: Problem | None = None
    wanted: str | None = None


def resolve(env: Mapping[str, str], typed: object = None, system_user: str | None = None,
            students: Collection[str] | None = None) -> Identity:
    """Apply the identity rules of the module docstring (``system_user``: the kernel's OS user name).

    >>> resolve({"JUPYTERHUB_USER": "alice"}).student
    'alice'
    >>> resolve({}, "bob", students={"alice"}).problem
    'not_on_list'
    """
    autograde = env.get("NBGRADER_EXECUTION") == "autograde"
    typed_id = normalize_id(typed)
    hub = None if autograde else normalize_id(env.get("JUPYTERHUB_USER"))
    wanted: str | None
    source: Source
    if hub is not None:
        wanted, source = hub, "hub"
        if system_user not in (None, "", SHARED_SYSTEM_USER, hub):
            wanted, source = normalize_id(system_user), "system"
        problem: Problem | None = "typed_differs" if typed_id is not None and typed_id != wanted else None
    elif typed_id is not None:
        wanted, source, problem = typed_id, "typed", None
    else:
        return Identity(None, "none", autograde, None, None, "no_id")
    if students is not None and wanted not in students:
        return Identity(None, source, autograde, typed_id, hub, "not_on_list", wanted)
    return Identity(wanted, source, autograde, typed_id, hub, problem, wanted)


def normalize_id(value: object) -> str | None:
    """An id as NFC text without surrounding space, or None when blank; numbers become text.

    >>> normalize_id(" Zoe\\u0308 ") == "Zo\\u00eb", normalize_id("  "), normalize_id(1234)
    (True, None, '1234')
    """
    if value is None or value is Ellipsis or isinstance(value, bool):
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None
