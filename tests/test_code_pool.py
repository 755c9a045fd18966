"""The fork server (grader/code/pool.py): each file in its own fresh child, nothing a child does
reaches the server or a later child, the server holds no student data and ends with the grader.

The sandbox's own tests (tests/test_code_sandbox.py) run through the server too: every
containment case there holds for pooled children.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from grader.code import pool
from grader.code import sandbox as sandbox_module
from grader.code.sandbox import Call, Limits, run_calls

FAST = Limits(time=3.0, total=60.0, memory=512 << 20)
ROOT = Path(__file__).resolve().parents[1]

MEDDLE = """
import builtins, math, sys, numpy
def meddle():
    numpy.pi = 3.0
    math.e = 2.0
    numpy.seterr(all="raise")
    numpy.set_printoptions(precision=1)
    numpy.random.seed(0)
    builtins.leaked = "from the last file"
    sys.modules["fractions"] = None
    sys.modules["planted"] = sys.modules["math"]
    return 1
"""

LOOK = """
import builtins, math, random, sys, numpy
def look():
    return {"pi": numpy.pi, "e": math.e, "err": numpy.geterr(), "precision": numpy.get_printoptions()["precision"],
            "leaked": hasattr(builtins, "leaked"), "fractions": sys.modules.get("fractions") is not None,
            "planted": "planted" in sys.modules, "numpy_random": numpy.random.random(), "random": random.random()}
"""


def _server_pid() -> int:
    server = pool._server
    assert server is not None and server.alive, "the runs went through a fork server"
    return server.process.pid


def _gone(pid: int) -> bool:
    """Whether the process has ended (a zombie counts: it runs nothing)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_what_one_file_changes_does_not_reach_the_next():
    """Module state, sys.modules, builtins and numpy's settings and random state: the next file
    (another child of the same server) sees Python's and numpy's defaults."""
    assert run_calls(MEDDLE, [Call("meddle")], FAST).outcomes[0].value == 1
    server = _server_pid()
    first, second = (run_calls(LOOK, [Call("look")], FAST).outcomes[0].value for _ in range(2))
    assert _server_pid() == server
    defaults = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}  # numpy's documented defaults
    for seen in (first, second):
        assert seen["pi"] == math.pi and seen["e"] == math.e
        assert seen["err"] == defaults and seen["precision"] == 8
        assert not seen["leaked"] and seen["fractions"] and not seen["planted"]
    seeded = np.random.RandomState(0).random_sample()
    assert first["numpy_random"] != seeded  # not the state the last file left
    assert first["numpy_random"] != second["numpy_random"] and first["random"] != second["random"]


ATTACK = """
import ctypes, os, signal
def attack(pid):
    found = {}
    try:
        os.kill(pid, signal.SIGKILL)
        found["kill"] = "sent"
    except OSError as error:
        found["kill"] = type(error).__name__
    libc = ctypes.CDLL(None, use_errno=True)
    found["ptrace"] = libc.ptrace(16, pid, 0, 0)  # PTRACE_ATTACH
    found["signal"] = libc.kill(pid, signal.SIGKILL)
    return found
"""


def test_a_file_cannot_signal_the_server():
    run_calls("def f():\n    return 1\n", [Call("f")], FAST)
    server = _server_pid()
    report = run_calls(ATTACK, [Call("attack", (server,))], FAST)
    assert report.outcomes[0].failure is not None and report.outcomes[0].failure.kind == "blocked"
    assert not _gone(server) and _server_pid() == server


def test_without_the_audit_hook_the_kernel_keeps_the_server_out_of_reach(monkeypatch):
    """With the hook switched off (only tests can), os.kill, kill(2) and ptrace(2) from the
    child fail: the server is outside its PID namespace."""
    from tests.test_code_sandbox import _namespaces_allowed

    if not _namespaces_allowed():
        pytest.skip("this machine does not allow the namespaces the sandbox uses")
    original = sandbox_module._prepare

    def prepare(directory, *rest):
        original(directory, *rest)
        spec_path = Path(directory) / "spec.json"
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        spec["audit_hook"] = False
        spec_path.write_text(json.dumps(spec), encoding="utf-8")

    run_calls("def f():\n    return 1\n", [Call("f")], FAST)
    server = _server_pid()
    monkeypatch.setattr(sandbox_module, "_prepare", prepare)
    report = run_calls(ATTACK, [Call("attack", (server,))], FAST)
    found = report.outcomes[0].value
    assert found is not None, report.outcomes[0]
    assert found == {"kill": "ProcessLookupError", "ptrace": -1, "signal": -1}
    assert not _gone(server) and _server_pid() == server


def test_a_server_that_ended_is_replaced_and_the_file_graded():
    run_calls("def f():\n    return 1\n", [Call("f")], FAST)
    first = _server_pid()
    os.kill(first, signal.SIGKILL)
    while not _gone(first):
        time.sleep(0.01)
    report = run_calls("def f(x):\n    return 3 * x\n", [Call("f", (2,))], FAST)
    assert report.outcomes[0].value == 6
    assert _server_pid() != first


def test_a_run_whose_server_ends_midway_is_made_again():
    """The server killed while its child runs: the child dies with it, and the file is run again
    in a child started on its own, from the start (the report shows one run)."""
    run_calls("def f():\n    return 1\n", [Call("f")], FAST)
    server = _server_pid()
    killer = threading.Timer(0.5, os.kill, (server, signal.SIGKILL))
    killer.start()
    source = ("import time\nLOADS = []\n"
              "def f(x):\n    LOADS.append(x)\n    time.sleep(1.0)\n    return (x, len(LOADS))\n")
    report = run_calls(source, [Call("f", (5,))], FAST)
    killer.join()
    assert _gone(server)
    assert report.outcomes[0].value == (5, 1) and report.processes == 1


def test_the_server_holds_no_student_data():
    """Nothing of a graded file (its source, its output, its results) is in the server's memory."""
    if os.geteuid() != 0:
        pytest.skip("reading another process's memory needs root here")
    marker = uuid.uuid4().hex
    source = f"NOTE = {marker!r}\nprint(NOTE)\ndef f():\n    return NOTE\n"
    report = run_calls(source, [Call("f")], FAST)
    assert report.outcomes[0].value == marker and marker in report.stdout
    server = _server_pid()
    found, scanned = False, 0
    with open(f"/proc/{server}/maps", encoding="ascii") as maps, open(f"/proc/{server}/mem", "rb") as memory:
        for line in maps:
            span, permissions = line.split()[:2]
            if not permissions.startswith("r"):
                continue
            start, end = (int(x, 16) for x in span.split("-"))
            try:
                memory.seek(start)
                chunk = memory.read(end - start)
            except (OSError, OverflowError, ValueError):
                continue
            scanned += len(chunk)
            found = found or marker.encode() in chunk
    assert scanned > 10 << 20 and not found


def test_the_server_and_its_children_end_with_the_grader(tmp_path):
    """The grader's process killed outright (no clean-up) in the middle of a run: the server and
    the child it was running end too."""
    script = ("import os, threading, time\nfrom grader.code import pool\n"
              "from grader.code.sandbox import Call, Limits, run_calls\n"
              "def tell():\n    time.sleep(1.5)\n    pid = pool._server.process.pid\n"
              "    kids = open(f'/proc/{pid}/task/{pid}/children').read().split()\n"
              "    print(pid, *kids, flush=True)\n"
              "threading.Thread(target=tell).start()\n"
              "run_calls('import time\\ndef f():\\n    time.sleep(60)\\n', [Call('f')], Limits(time=90, total=120))\n")
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pids = [int(p) for p in grader.stdout.readline().split()]
    finally:
        grader.kill()
        grader.wait()
    assert len(pids) == 2, "the server and the child it runs"
    deadline = time.monotonic() + 20
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(p) for p in pids)
