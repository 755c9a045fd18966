"""The sandbox: hostile or broken student code is contained, reported, and costs only its own tests.

Each hostile file implements ``sigmoid`` badly (the hostile act) and ``sigmoid_prime``
correctly (without calling ``sigmoid``): the tests calling ``sigmoid`` must get zero with the
reason, ``sigmoid_prime_values`` must still pass, and the next student must be graded normally.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from grader.code import Limits, grade_code_file, grade_code_source
from grader.code import sandbox as sandbox_module
from grader.code.exercises.base import hidden_variants, key_values
from grader.code.sandbox import Call, Ref, run_calls

ROOT = Path(__file__).resolve().parents[1]
FAST = Limits(time=2.0, total=60.0, memory=512 << 20, output=256 << 10)
SIGMOID_PRIME = """
import math
def sigmoid_prime(z):
    import numpy as np
    a = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
    return a * (1 - a)
"""
MARKER = Path(tempfile.gettempdir()) / "gdbp-sandbox-test-marker"

HOSTILE = {
    "infinite_loop": ("def sigmoid(z):\n    while True:\n        pass\n", "did not finish within 2 s"),
    "sleep": ("import time\ndef sigmoid(z):\n    time.sleep(1000)\n", "did not finish within 2 s"),
    "ten_gigabytes": ("def sigmoid(z):\n    return bytearray(10 * 1024 ** 3)\n", "ran out of memory"),
    "fork": ("import os\ndef sigmoid(z):\n    os.fork()\n    return z\n", "start another program or process (os.fork)"),
    "os_system": (f"import os\ndef sigmoid(z):\n    os.system('touch {MARKER}')\n    return z\n",
                  "start another program or process (os.system)"),
    "subprocess": ("import subprocess\ndef sigmoid(z):\n    subprocess.run(['ls'])\n    return z\n",
                   "start another program or process (subprocess.Popen)"),
    "read_passwd": ("def sigmoid(z):\n    return open('/etc/passwd').read()\n", "tried to read /etc/passwd"),
    "read_relative": ("def sigmoid(z):\n    return open('../' * 8 + 'etc/passwd').read()\n",
                      "tried to read /etc/passwd"),
    "read_solutions": (f"def sigmoid(z):\n    return open({str(ROOT / 'solutions' / 'sigmoid.py')!r}).read()\n",
                       "tried to read " + str(ROOT / "solutions" / "sigmoid.py")),
    "list_grader": (f"import os\ndef sigmoid(z):\n    return os.listdir({str(ROOT / 'grader')!r})\n",
                    "tried to read " + str(ROOT / "grader")),
    "import_grader": ("def sigmoid(z):\n    import grader.core.keys\n    return z\n", "No module named 'grader'"),
    "write_outside": (f"def sigmoid(z):\n    open({str(MARKER)!r}, 'w').write('x')\n    return z\n",
                      "tried to write " + str(MARKER)),
    "socket": ("import socket\ndef sigmoid(z):\n    socket.create_connection(('1.1.1.1', 80), timeout=1)\n",
               "tried to use the network"),
    "huge_output": ("def sigmoid(z):\n    while True:\n        print('x' * 100000)\n", "printed too much"),
    "sys_exit": ("import sys\ndef sigmoid(z):\n    sys.exit(3)\n", "ended the program (SystemExit: 3)"),
    "os_exit": ("import os\ndef sigmoid(z):\n    os._exit(0)\n", "ended the program"),
    "segfault": ("import faulthandler\ndef sigmoid(z):\n    faulthandler._sigsegv()\n", "Python crashed"),
    "kill_grader": ("import os\ndef sigmoid(z):\n    os.kill(os.getppid(), 9)\n", "does not allow (signal: os.kill)"),
    "pidfd_kill_grader": ("import os, signal\ndef sigmoid(z):\n"
                          f"    signal.pidfd_send_signal(os.pidfd_open({os.getpid()}), 9)\n", "sigmoid raised"),
    "sqlite_file": ("def sigmoid(z):\n    import sqlite3\n    sqlite3.connect('/tmp/gdbp-evil.db')\n", "sigmoid"),
    "ctypes": ("import ctypes\ndef sigmoid(z):\n    return ctypes.CDLL(None).getpid()\n",
               "does not allow (native: ctypes.dlopen)"),
    "recursion": ("def sigmoid(z):\n    return sigmoid(z)\n", "recursed too deeply"),
    "caught_violation": ("def sigmoid(z):\n    try:\n        open('/etc/passwd').read()\n    except Exception:\n"
                         "        pass\n    return 0.5\n", "tried to read /etc/passwd"),
}


@pytest.fixture
def made(monkeypatch):
    """The sandbox folders created during a test (other graders may run at the same time)."""
    created: list[str] = []
    original = tempfile.TemporaryDirectory

    class Recording(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(self.name)

    monkeypatch.setattr(sandbox_module.tempfile, "TemporaryDirectory", Recording)
    return created


def children(folders: list[str]) -> list[str]:
    """Live processes whose working directory is one of these sandbox folders."""
    found = []
    for cwd in glob.glob("/proc/[0-9]*/cwd"):
        try:
            target = os.readlink(cwd)
        except OSError:
            continue
        if any(target.startswith(folder) for folder in folders):
            found.append(cwd)
    return found


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_code_is_contained_reported_and_costs_only_its_tests(name, made):
    code, reason = HOSTILE[name]
    MARKER.unlink(missing_ok=True)
    result = grade_code_source(code + SIGMOID_PRIME, "sigmoid", limits=FAST)
    tests = {t.name: t for t in result.tests}
    for test_name in ("sigmoid_values", "sigmoid_shapes", "sigmoid_extremes"):
        assert tests[test_name].score == 0
        assert tests[test_name].status in ("error", "failed")
        assert reason in tests["sigmoid_values"].message, tests["sigmoid_values"].message
    assert tests["sigmoid_prime_values"].status == "passed", tests["sigmoid_prime_values"].message
    assert not MARKER.exists()
    assert made and not any(os.path.exists(folder) for folder in made)  # temporary folders removed
    assert children(made) == []  # nothing left running
    nxt = grade_code_file(ROOT / "solutions" / "sigmoid.py", "sigmoid", limits=FAST)
    assert nxt.score == nxt.max


def test_huge_output_is_cut_in_the_report():
    result = grade_code_source(HOSTILE["huge_output"][0] + SIGMOID_PRIME, "sigmoid", limits=FAST)
    assert 0 < len(result.stdout) < 10_000
    assert "cut after" in result.stdout


def test_top_level_code_runs_in_the_sandbox_too():
    for code, reason in (("while True:\n    pass\n", "did not finish within 2 s"),
                         ("open('/etc/passwd').read()\n", "tried to read /etc/passwd"),
                         ("def sigmoid(z:\n    pass\n", "SyntaxError")):
        result = grade_code_source(code, "sigmoid", limits=FAST)
        assert all(t.status == "error" and t.score == 0 for t in result.tests)
        assert result.tests[0].message.startswith("Your file could not be loaded")
        assert reason in result.tests[0].message


def test_containment_is_reported():
    result = grade_code_file(ROOT / "solutions" / "sigmoid.py", "sigmoid", limits=FAST)
    assert result.containment["network"] in ("namespace", "audit-hook")
    assert result.containment["pid_namespace"] in (True, False)
    if os.geteuid() == 0:
        assert result.containment["nobody"] is True
    assert result.containment["nproc"] is True


def test_environment_is_scrubbed_and_cwd_is_private():
    source = ("import os\ndef env():\n    return dict(os.environ)\n"
              "def cwd():\n    return (os.getcwd(), sorted(os.listdir('.')))\n")
    report = run_calls(source, [Call("env"), Call("cwd")], FAST)
    env, (cwd, files) = report.outcomes[0].value, report.outcomes[1].value
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                        "MKL_NUM_THREADS", "LC_CTYPE"}
    assert env["HOME"] == cwd and Path(cwd).name.startswith("gdbp-sandbox-")
    assert files == ["runner.py", "submission.py"]  # the spec (inputs) is deleted before student code runs


def test_one_failed_call_does_not_cost_the_next():
    source = "import os\ndef f(x):\n    if x == 2:\n        os._exit(1)\n    return x * 10\n"
    report = run_calls(source, [Call("f", (1,)), Call("f", (2,)), Call("f", (3,))], FAST)
    assert [o.value for o in report.outcomes] == [10, None, 30]
    assert report.outcomes[1].failure.kind == "exit"
    assert report.processes == 2


def test_a_stopped_function_is_not_run_again_and_refs_to_failures_are_not_run():
    source = "def slow(x):\n    while True:\n        pass\ndef echo(x):\n    return x\n"
    calls = [Call("slow", (1,)), Call("slow", (2,)), Call("echo", (Ref(0),)), Call("echo", (5,))]
    report = run_calls(source, calls, FAST)
    kinds = [o.failure.kind if o.failure else o.value for o in report.outcomes]
    assert kinds == ["timeout", "timeout", "depends", 5]
    assert report.processes == 2


def test_values_round_trip():
    source = "def same(x):\n    return x\n"
    value = {"a": np.arange(6.0).reshape(2, 3), "b": (1, 2.5, None, "s"), "c": [np.float64(0.25)]}
    report = run_calls(source, [Call("same", (value,))], FAST)
    back = report.outcomes[0].value
    assert np.array_equal(back["a"], value["a"]) and back["a"].shape == (2, 3)
    assert back["b"] == (1, 2.5, None, "s")
    assert back["c"] == [0.25]


def test_expected_values_never_reach_the_student(monkeypatch):
    """Only inputs are written where the student's process can see them: scan every file of
    every run and what a spying submission sees, for the values its functions must return."""
    seen = []
    original = sandbox_module._prepare

    def spy_prepare(directory, root, calls, limits, source):
        original(directory, root, calls, limits, source)
        seen.extend(p.read_text(encoding="utf-8", errors="replace") for p in Path(directory).iterdir())

    monkeypatch.setattr(sandbox_module, "_prepare", spy_prepare)
    spy = ("import os\n"
           "def forward_222(p):\n    print(repr(p), sorted(os.listdir('.')))\n    return {}\n"
           "def backward_222(p, f):\n    print(repr(p), repr(f), sorted(os.listdir('.')))\n    return {}\n")
    result = grade_code_source(spy, "backprop_222", limits=FAST)
    assert result.score == 0
    secrets = []
    for v in hidden_variants("backprop_222", sandbox_module_key(), 3):
        q = key_values(v)
        names = [n for n in q if n.startswith(("delta", "dE_d")) or n.endswith("_new")]
        secrets += [f"{q[n]!r}"[:12] for n in names]
    assert secrets and seen
    for text in [*seen, result.stdout]:
        for secret in secrets:
            assert secret not in text


def sandbox_module_key():
    from grader.code.exercises.base import DEFAULT_KEY

    return DEFAULT_KEY


def test_garbage_on_the_result_channel_stops_only_that_call():
    source = ("import os, sys, time\ndef garbage():\n    os.write(int(sys.argv[2]), b'[' * 100000 + b'\\n')\n"
              "    time.sleep(100)\ndef ok():\n    return 1\n")
    report = run_calls(source, [Call("garbage"), Call("ok")], FAST)
    assert report.outcomes[0].failure.kind == "protocol"
    assert report.outcomes[1].value == 1


# --- issue 12: fd-relative routes, the layers below the audit hook, the result channel ----------

@pytest.fixture
def planted(monkeypatch):
    """A folder the child may read (an extra read root, like site-packages) and that the user the
    child runs as could write at the kernel level; and, inside it, a folder the grader denies."""
    victim = Path(tempfile.mkdtemp(prefix="gdbp-site-packages-"))
    (victim / "solutions").mkdir()
    (victim / "solutions" / "key.py").write_text("SECRET = 'the-instructor-key'\n")
    for path in (victim, victim / "solutions"):
        path.chmod(0o777)
    extra = {"read_roots": [str(victim)], "denied": [str(victim / "solutions")]}
    original = sandbox_module._prepare

    def prepare(directory, *rest):
        original(directory, *rest)
        spec_path = Path(directory) / "spec.json"
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        spec.update(extra, denied=spec["denied"] + extra["denied"])
        spec_path.write_text(json.dumps(spec), encoding="utf-8")

    monkeypatch.setattr(sandbox_module, "_prepare", prepare)
    yield victim, extra
    shutil.rmtree(victim)


FD_ROUTES = {
    "dir_fd_open": "w = os.open('planted.pth', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=os.open(V, os.O_RDONLY))\n"
                   "    os.write(w, b'import os\\n')",
    "o_path_dir_fd": "os.close(os.open('planted.pth', os.O_WRONLY | os.O_CREAT, 0o644, "
                     "dir_fd=os.open(V, os.O_PATH | os.O_DIRECTORY)))",
    "dir_fd_mkdir": "os.mkdir('planted', dir_fd=os.open(V, os.O_RDONLY))",
    "dir_fd_rename": "open('f', 'w').close()\n    os.rename('f', 'planted.pth', dst_dir_fd=os.open(V, os.O_RDONLY))",
    "proc_self_fd": "open('/proc/self/fd/%d/planted.pth' % os.open(V, os.O_RDONLY), 'w').write('x')",
    "fwalk": "for _, _, _, fd in os.fwalk(V):\n"
             "        os.close(os.open('planted.pth', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))",
    "scandir_fd": "fd = os.open(V, os.O_RDONLY)\n    names = [e.name for e in os.scandir(fd)]\n"
                  "    os.mkdir('planted', dir_fd=fd)\n    return names",
    "read_denied_dir_fd": "fd = os.open(V, os.O_RDONLY)\n"
                          "    return open(os.open('solutions/key.py', os.O_RDONLY, dir_fd=fd)).read()",
}


@pytest.mark.parametrize("route", sorted(FD_ROUTES))
def test_directory_handles_reach_nothing_outside_the_folder(route, planted):
    """Issue 12, item 3: a handle on a readable folder must not let the child write beside the
    installed packages (a planted .pth runs in the next grader command) or read what is denied."""
    victim, _ = planted
    source = f"import os\nV = {str(victim)!r}\ndef attack():\n    {FD_ROUTES[route]}\n    return 'done'\n"
    report = run_calls(source, [Call("attack")], FAST)
    assert not report.outcomes[0].ok, report.outcomes[0]
    assert sorted(p.name for p in victim.iterdir()) == ["solutions"]
    assert "the-instructor-key" not in repr(report)


LAYERS_PROBE = """
import ctypes, os
def probe(victim, grader, solutions):
    found = {"listing": sorted(os.listdir("/")), "grader": os.path.exists(grader),
             "solutions": os.path.exists(solutions), "denied": os.path.exists(victim + "/solutions/key.py"),
             "victim": os.path.exists(victim), "proc": os.path.exists("/proc/self"), "writes": []}
    for target in (victim + "/planted.pth", "/tmp/planted", "/planted", "/usr/planted"):
        try:
            open(target, "w").close()
            found["writes"].append(target)
        except OSError:
            pass
    libc = ctypes.CDLL(None, use_errno=True)  # a new user namespace gives capabilities back...
    if libc.unshare(0x10000000 | 0x00020000) == 0:  # ...but the mounts it inherits stay read-only
        found["remount"] = libc.mount(None, victim.encode(), None, ctypes.c_ulong(32 | 4096), None) == 0
        try:
            open(victim + "/planted.pth", "w").close()
            found["writes"].append("after unshare")
        except OSError:
            pass
    return found
"""


def _namespaces_allowed() -> bool:
    """Whether this user may make the namespaces the sandbox uses (checked with util-linux unshare)."""
    command = ["unshare", "--mount", "--net", "--pid", "--fork", "true"]
    if os.geteuid() != 0:
        command[1:1] = ["--user"]
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_the_filesystem_rules_hold_without_the_audit_hook(planted, monkeypatch):
    """Issue 12, item 3: with the audit hook switched off, the kernel alone (a new root in a
    mount namespace, read-only, as nobody or in a user namespace) keeps the file rules."""
    if not _namespaces_allowed():
        pytest.skip("this machine does not allow the namespaces the sandbox uses")
    _, extra = planted
    extra["audit_hook"] = False
    victim = Path(extra["read_roots"][0])
    report = run_calls(LAYERS_PROBE, [Call("probe", (str(victim), str(ROOT / "grader"), str(ROOT / "solutions")))],
                       FAST)
    assert report.containment["filesystem"] == "mount-namespace"
    found = report.outcomes[0].value
    assert found is not None, report.outcomes[0]
    assert found["victim"] and not found["grader"] and not found["solutions"] and not found["denied"]
    assert not found["proc"] and "home" not in found["listing"] and "proc" not in found["listing"]
    assert found["writes"] == [] and not found.get("remount")
    assert sorted(p.name for p in victim.iterdir()) == ["solutions"]


def test_containment_is_the_strongest_this_machine_allows():
    result = grade_code_file(ROOT / "solutions" / "sigmoid.py", "sigmoid", limits=FAST)
    assert result.containment["no_capabilities"] is True
    if _namespaces_allowed():
        assert result.containment["filesystem"] == "mount-namespace"
        assert result.containment["network"] == "namespace" and result.containment["pid_namespace"] is True


def test_forged_results_are_ignored_and_the_clock_stays_with_the_parent():
    """Issue 12, item 4: results for calls not made (or made by an earlier call) are ignored, and a
    forged result for the running call does not stop the time limit for what follows."""
    source = ("import json, os, sys\nFD = int(sys.argv[2])\n"
              "def send(event):\n    os.write(FD, (json.dumps(event) + '\\n').encode())\n"
              "def boom():\n    raise ValueError('boom')\n"
              "def forge():\n"
              "    for i in (0, 2, 99):\n        send({'e': 'end', 'i': i, 'ok': True, 'value': 1000 + i})\n"
              "    send({'e': 'ready'})\n    send({'e': 'load_end', 'ok': False})\n    return 7\n"
              "def slow():\n    send({'e': 'end', 'i': 2, 'ok': True, 'value': 42})\n    while True:\n        pass\n"
              "def after():\n    return 8\ndef later():\n    return 9\n")
    calls = [Call("boom"), Call("forge"), Call("slow"), Call("after"), Call("later")]
    report = run_calls(source, calls, Limits(time=2.0, total=30.0, memory=512 << 20))
    kinds = [o.failure.kind if o.failure else o.value for o in report.outcomes]
    assert kinds == ["exception", 7, 42, "timeout", 9]
    assert report.load_failure is None and len(report.outcomes) == len(calls)


FLOOD = """
import os, sys
def flood():
    values = b'0,' * 4_000_000 + b'0'
    line = b'{"e": "end", "i": %d, "ok": true, "value": {"__nd__": [' + values + b'], "shape": [4000001]}}\\n'
    for i in range(12):
        os.write(int(sys.argv[2]), line % (100 + i))
    return 1
"""


def test_a_flood_on_the_result_channel_costs_the_grader_little_memory():
    """Issue 12, item 4: the grader reads at most RESULT_LINE per line and RESULT_TOTAL per process."""
    script = ("import resource, sys\nfrom grader.code.sandbox import Call, Limits, run_calls\n"
              f"report = run_calls({FLOOD!r}, [Call('flood'), Call('flood')], Limits(time=20.0, total=60.0))\n"
              "print(report.outcomes[0].failure.kind, report.outcomes[1].failure.kind)\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    kinds, megabytes = done.stdout.split("\n")[:2]
    assert kinds == "too_large too_large"
    baseline = subprocess.run([sys.executable, "-c", "import resource, grader.code.sandbox\n"
                               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"],
                              capture_output=True, text=True, timeout=120)
    assert int(megabytes) < int(baseline.stdout) + 100, (megabytes, baseline.stdout)


def test_a_long_honest_result_is_too_large_not_a_protocol_error():
    report = run_calls("def big():\n    return ['x' * 1500] * 2000\ndef ok():\n    return 1\n",
                       [Call("big"), Call("ok")], FAST)
    assert report.outcomes[0].failure.kind == "too_large"
    assert report.outcomes[1].value == 1 and report.processes == 1


def test_many_short_lines_on_the_channel_stop_at_the_first_bad_one():
    source = ("import os, sys\ndef spam():\n    os.write(int(sys.argv[2]), b'\\n' * 60000)\n    return 1\n"
              "def ok():\n    return 2\n")
    report = run_calls(source, [Call("spam"), Call("ok")], FAST)
    assert report.outcomes[0].failure.kind == "protocol"
    assert report.outcomes[1].value == 2
