"""Running untrusted student code: a separate, limited process that only ever sees inputs.

:func:`run_calls` copies a student's file into a fresh temporary directory and calls
functions of it, in order, in a child process (``_runner.py``) and returns what each call
gave back, or why it gave nothing. Expected values never enter the child: the parent sends
inputs and judges the outputs itself, so there is no key in the child to steal.

What the child runs under (docs/sandbox.md says what each layer guarantees):

- a fresh process: forked by the fork server (:mod:`grader.code.pool`, which has imported numpy
  once and holds nothing of any student's), or started on its own when there is no server;
- its own session and process group, killed as a whole when the run ends;
- a wall-clock limit per call (and for loading the file), kept by this process: the clock runs
  from "ready" to the end, whatever the child writes; ``RLIMIT_CPU`` for the process;
- ``RLIMIT_AS`` (memory), ``RLIMIT_FSIZE`` (files it writes), ``RLIMIT_NOFILE``, no core dumps;
- ``RLIMIT_NPROC = 0``, so the kernel refuses ``fork`` (enforced for non-root users; a root
  grader makes the child become ``nobody`` first); no capabilities, ``no_new_privs``;
- new mount, network and PID namespaces when the kernel allows them (inside a new user
  namespace when the grader is not root): the child's root is a new read-only filesystem that
  holds only the Python installation, system libraries and its own folder (the only writable
  place), with the grader's own files hidden; no network interfaces;
- in any case an audit hook that ends the process on sockets, new processes, signals, ``ctypes``,
  directory handles and file access outside its folder and the Python installation;
- a scrubbed environment, ``python -I`` (no user site, no PYTHON* variables), its temporary
  directory as working directory and home;
- stdout and stderr captured in the parent, kept up to a limit; more output stops the run;
- results read up to ``RESULT_LINE`` bytes a line and ``RESULT_TOTAL`` a process; results for
  calls that are not running are ignored.

A call that fails (exception, time, memory, crash, forbidden action) gets a :class:`Failure`
and the remaining calls run again in a fresh process, so one bad call never costs the others;
a function stopped for time, output or a forbidden action is not called again.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from grader.code import pool

RUNNER = Path(__file__).with_name("_runner.py")
NOBODY = 65534
VIOLATION_EXIT = 86
KEEP_OUTPUT = 8_000  # characters of stdout/stderr kept for the report
# What the grader reads from the child's result channel: one line (one result), and all lines of
# one process. Results of the course's functions are a few kilobytes; the child reports a larger
# one as "too large", and more on the channel than this is the student's doing.
RESULT_LINE = 1 << 20
RESULT_TOTAL = 8 << 20
# A function stopped for one of these is not called again (its later calls get the same failure):
# it would most likely do the same, and each try costs a new process or a full time limit.
STOP_FUNCTION = ("timeout", "cpu", "blocked", "output", "budget")

FailureKind = Literal[
    "exception", "not_implemented", "missing", "timeout", "cpu", "memory", "recursion", "crash",
    "exit", "output", "blocked", "load", "depends", "too_large", "protocol", "budget",
    "internal",
]


@dataclass(frozen=True)
class Limits:
    """Limits for one submission; the defaults suit the exercises of this course.

    ``time``: wall seconds per call and for loading the file; ``startup``: wall seconds to
    start Python and numpy; ``total``: wall seconds for the whole submission; ``memory``:
    bytes of address space; ``output``: bytes of stdout plus stderr per process;
    ``file_size``: largest file the code may write; ``files``: open file descriptors.
    """

    time: float = 5.0
    startup: float = 30.0
    total: float = 120.0
    memory: int = 1 << 30
    output: int = 1 << 20
    file_size: int = 1 << 20
    files: int = 64


@dataclass(frozen=True)
class Ref:
    """An argument that is the value returned by an earlier call (by its index)."""

    index: int


@dataclass(frozen=True)
class Lambda:
    """An argument that is a function, given as the source of a lambda (``np`` and ``math`` in scope)."""

    source: str


@dataclass(frozen=True)
class Call:
    """One call of a function of the student's file; ``return_args`` also returns the arguments
    as they are after the call (to see whether the function changed them)."""

    function: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    return_args: bool = False


@dataclass(frozen=True)
class Failure:
    """Why a call gave no value: ``kind`` for the program, ``detail`` for people (English, technical)."""

    kind: FailureKind
    detail: str = ""
    line: int | None = None
    trace: str = ""


@dataclass(frozen=True)
class Outcome:
    """What one call gave back: ``value`` (and ``args`` if asked), or a ``failure``."""

    value: Any = None
    args: tuple | None = None
    failure: Failure | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the call returned a value."""
        return self.failure is None


@dataclass(frozen=True)
class Opaque:
    """A returned object that is neither a number, an array nor a container (its type and repr)."""

    type: str
    repr: str
    shape: tuple[int, ...] | None = None


@dataclass(frozen=True)
class RunReport:
    """All calls of one submission: outcomes in call order, captured output, what contained it."""

    outcomes: tuple[Outcome, ...]
    stdout: str
    stderr: str
    processes: int
    load_failure: Failure | None
    containment: Mapping[str, object]


CONTAINMENT = ("network", "pid_namespace", "filesystem", "nobody", "no_capabilities", "nproc")


class SandboxUnavailable(RuntimeError):
    """This platform cannot run the sandbox (it needs a POSIX system with ``resource``)."""


# --- encoding arguments and decoding results ---------------------------------------------------

def encode(value: Any) -> Any:
    """An argument as the JSON the child decodes (arrays, tuples and dicts tagged)."""
    if isinstance(value, Ref):
        return {"__ref__": value.index}
    if isinstance(value, Lambda):
        return {"__lambda__": value.source}
    if isinstance(value, np.ndarray):
        return {"__nd__": value.tolist(), "shape": list(value.shape), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return {"__scalar__": value.item(), "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    return value


def decode(data: Any) -> Any:
    """A value sent by the child as Python data: arrays, numpy scalars, tuples, dicts, :class:`Opaque`."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__nd__" in data:
        return np.array(data["__nd__"], dtype=float).reshape(data["shape"])
    if "__scalar__" in data:
        return np.float64(data["__scalar__"])
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        pairs = [(decode(k), decode(v)) for k, v in data["__dict__"]]
        return {_hashable(k): v for k, v in pairs}
    if "__object__" in data:
        shape = data.get("shape")
        return Opaque(str(data["__object__"]), str(data.get("repr", "")), tuple(shape) if shape else None)
    return Opaque("dict", repr(data)[:200])


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key


# --- one child process ---------------------------------------------------------------------------

@dataclass
class _Process:
    """The state of one child run, as the parent follows it.

    The parent keeps the clock: from "ready" on, ``current`` is what the child must be doing
    (-1: loading the file; an index: that call; None: all calls answered) and ``started`` when
    it began, so a forged or missing event never stops the time limit.
    """

    calls: list[int]  # indexes of the calls this process makes, in order
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    current: int | None = None
    started: float = 0.0
    ready: bool = False
    load_failure: Failure | None = None
    violation: tuple[str, str] | None = None
    stopped: Failure | None = None  # why the parent stopped the process
    containment: dict[str, object] = field(default_factory=dict)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    output_bytes: int = 0
    protocol: bytearray = field(default_factory=bytearray)
    protocol_bytes: int = 0
    returncode: int | None = None

    def advance(self, now: float) -> None:
        """Start the clock for the next call after ``current`` (None when there is none)."""
        later = self.calls[self.calls.index(self.current) + 1:] if self.current in self.calls else self.calls
        self.current, self.started = (later[0] if later else None), now


def _environment(home: str) -> dict[str, str]:
    """A small, fixed environment: nothing of the grader's own is passed on."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _denied_paths() -> list[str]:
    """The grader's own code, the reference solutions and the tests: never readable by the child."""
    package = Path(__file__).resolve().parents[1]
    repo = package.parent
    paths = [package]
    paths += [repo / name for name in ("solutions", "tests", "examples") if (repo / name).is_dir()]
    return [str(p) for p in paths]


def _prepare(sandbox: Path, root: Path, calls: list[tuple[int, Call]], limits: Limits, source: bytes) -> None:
    """Write the files the child sees: the runner, the student's file, and the spec (inputs only);
    ``root`` is an empty folder on which the child builds the filesystem it is confined to."""
    (sandbox / "runner.py").write_bytes(RUNNER.read_bytes())
    (sandbox / "submission.py").write_bytes(source)
    spec = {
        "submission": "submission.py",
        "calls": [
            {"index": i, "function": c.function, "args": encode(list(c.args)),
             "kwargs": encode(dict(c.kwargs)), "return_args": c.return_args}
            for i, c in calls
        ],
        "limits": {
            "cpu": limits.time * (len(calls) + 1) + 5, "memory": limits.memory,
            "file_size": limits.file_size, "files": limits.files, "line": RESULT_LINE,
        },
        "root": str(root),
        "uid": NOBODY if os.geteuid() == 0 else None,
        "denied": _denied_paths(),
    }
    (sandbox / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    if os.geteuid() == 0:
        for path in (sandbox, *sandbox.iterdir()):
            os.chown(path, NOBODY, NOBODY)


class _Started:
    """A child started on its own (a new interpreter), through :class:`subprocess.Popen`."""

    def __init__(self, sandbox: Path, write_end: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", "-X", "utf8", "runner.py", "spec.json", str(write_end)],
            cwd=sandbox, env=_environment(str(sandbox)), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_end,),
            start_new_session=True, close_fds=True,
        )
        assert self.process.stdout is not None and self.process.stderr is not None  # (both are pipes)
        self.stdout, self.stderr = self.process.stdout, self.process.stderr
        self.output = (self.stdout.fileno(), self.stderr.fileno())

    def kill(self) -> None:
        """Kill the child's whole process group (and the child itself, if the group is gone)."""
        for kill in (lambda: os.killpg(self.process.pid, signal.SIGKILL), self.process.kill):
            with contextlib.suppress(OSError):
                kill()

    def wait(self) -> int:
        """Wait for the child; its exit code (minus the signal that ended it)."""
        code = self.process.wait()
        self.stdout.close()
        self.stderr.close()
        return code


class _Forked:
    """A child forked by the fork server (:mod:`grader.code.pool`), the server reaping it."""

    def __init__(self, server: pool.ForkServer, sandbox: Path, write_end: int) -> None:
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self.server, self.output = server, (out_read, err_read)
        try:
            self.pid = server.spawn(sandbox, (out_write, err_write, write_end))
        except pool.ServerLost:
            os.close(out_read)
            os.close(err_read)
            raise
        finally:
            os.close(out_write)
            os.close(err_write)

    def kill(self) -> None:
        """Kill the child's whole process group (the server does, as its parent)."""
        self.server.kill(self.pid)

    def wait(self) -> int:
        """Wait until the server has reaped the child; its exit code (minus the signal that ended it)."""
        try:
            return self.server.wait(self.pid)
        finally:
            for fd in self.output:
                os.close(fd)


def _spawn(sandbox: Path, root: Path, calls: list[tuple[int, Call]], limits: Limits, source: bytes,
           pooled: bool = True):
    """Write the files of one run and start the child (forked by the fork server when ``pooled``
    and there is one); returns (child, read end of the result pipe)."""
    if os.name != "posix":
        raise SandboxUnavailable("the code sandbox needs Linux or another POSIX system")
    _prepare(sandbox, root, calls, limits, source)
    read_end, write_end = os.pipe()
    try:
        server = pool.server(_environment("/")) if pooled else None
        child = _Forked(server, sandbox, write_end) if server is not None else _Started(sandbox, write_end)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return child, read_end


def _handle_line(state: _Process, line: bytes) -> None:
    """One line from the result channel: an event, or the audit hook's violation report."""
    if line.startswith(b"V\t"):
        parts = line.rstrip(b"\n").split(b"\t")
        what = parts[1].decode("ascii", "replace")[:40] if len(parts) > 1 else "unknown"
        try:
            detail = bytes.fromhex(parts[2].decode("ascii")).decode("utf-8", "replace") if len(parts) > 2 else ""
        except ValueError:
            detail = ""
        state.violation = (what, detail[:2000])
        return
    try:
        _handle_event(state, json.loads(line))
    except Exception:  # anything odd on the channel (garbage, deep nesting): the student's doing
        state.stopped = state.stopped or Failure("protocol", "the submission wrote to the grader's channel")


def _handle_event(state: _Process, event: Any) -> None:
    """One JSON event from the runner. Events that do not fit what the parent expects now (a
    second "ready", a result for a call that is not running or was never made) are ignored."""
    if not isinstance(event, dict):
        raise ValueError("not an event")
    kind, now = event.get("e"), time.monotonic()
    if kind == "ready" and not state.ready:
        state.ready, state.current, state.started = True, -1, now
        state.containment = {k: event.get(k) for k in CONTAINMENT}
    elif kind == "load_end" and state.ready and state.current == -1:
        if event.get("ok"):
            state.advance(now)
        else:
            state.load_failure = _failure(event.get("error"), "load")
            state.current = None
    elif kind == "end" and state.current is not None and state.current >= 0 and event.get("i") == state.current:
        seconds = now - state.started
        if event.get("ok"):
            args = decode(event["args"]) if "args" in event else None
            state.outcomes[state.current] = Outcome(decode(event.get("value")), args, None, seconds)
        else:
            state.outcomes[state.current] = Outcome(None, None, _failure(event.get("error")), seconds)
        state.advance(now)


def _failure(error: Any, kind: FailureKind | None = None) -> Failure:
    """A failure the runner reported (an exception of the student's code, a missing function, ...);
    ``kind`` overrides the reported kind."""
    error = error if isinstance(error, dict) else {}
    kind = kind or (error["kind"] if error.get("kind") in typing.get_args(FailureKind) else "exception")
    detail = f"{error.get('type', '')}: {error.get('message', '')}".strip(": ")
    line = error.get("line") if isinstance(error.get("line"), int) else None
    return Failure(kind, detail, line, str(error.get("trace", "")))


def _died(state: _Process, returncode: int | None) -> Failure:
    """Why the child stopped in the middle of something."""
    if state.violation:
        what, detail = state.violation
        return Failure("blocked", f"{what}: {detail}")
    if state.stopped:
        return state.stopped
    if returncode is not None and returncode < 0:
        signum = -returncode
        if signum in (signal.SIGXCPU, signal.SIGKILL):
            return Failure("cpu", "CPU time limit")
        if signum == signal.SIGXFSZ:
            return Failure("too_large", "file size limit")
        name = signal.Signals(signum).name if signum in signal.Signals.__members__.values() else str(signum)
        return Failure("crash", f"killed by signal {name}")
    return Failure("exit", f"the process exited with code {returncode}")


def _run_once(sandbox: Path, root: Path, calls: list[tuple[int, Call]], limits: Limits, source: bytes,
              deadline: float, pooled: bool = True) -> _Process:
    """Run the given calls in one child process; return what was observed. Raises
    :class:`~grader.code.pool.ServerLost` when the fork server ended during the run."""
    state = _Process([i for i, _ in calls])
    child, result_fd = _spawn(sandbox, root, calls, limits, source, pooled)
    selector = selectors.DefaultSelector()
    stdout, stderr = child.output
    streams = {stdout: "stdout", stderr: "stderr", result_fd: "result"}
    for fd in streams:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    spawned = time.monotonic()
    try:
        while selector.get_map():
            if state.stopped is None:
                state.stopped = _over_time(state, limits, spawned, time.monotonic(), deadline)
            if state.stopped is not None:
                child.kill()
            for key, _ in selector.select(timeout=0.05):
                _read(selector, key.fd, streams[key.fd], state, limits)
    finally:
        selector.close()
        os.close(result_fd)
        child.kill()
        state.returncode = child.wait()
    return state


def _over_time(state: _Process, limits: Limits, spawned: float, now: float, deadline: float) -> Failure | None:
    """The reason to stop the child now, if it has run out of time (whatever it wrote)."""
    if now > deadline:
        return Failure("budget", "the time for this whole submission ran out")
    if not state.ready:
        if now - spawned > limits.startup:
            return Failure("timeout", f"Python did not start within {limits.startup:g} s")
        return None
    if now - state.started > limits.time:  # a call, loading the file, or ending after the last call
        return Failure("timeout", f"time limit of {limits.time:g} s")
    return None


def _read(selector, fd: int, stream: str, state: _Process, limits: Limits) -> None:
    """Read what is available on one of the child's pipes, keeping within the bounds."""
    try:
        chunk = os.read(fd, 1 << 16)
    except BlockingIOError:
        return
    if not chunk:
        selector.unregister(fd)
        return
    if stream == "result":
        _read_results(state, chunk)
        return
    buffer = state.stdout if stream == "stdout" else state.stderr
    if len(buffer) < KEEP_OUTPUT * 4:
        buffer += chunk[: KEEP_OUTPUT * 4 - len(buffer)]
    state.output_bytes += len(chunk)
    if state.output_bytes > limits.output and state.stopped is None:
        state.stopped = Failure("output", f"more than {limits.output} bytes of output")


def _read_results(state: _Process, chunk: bytes) -> None:
    """Handle the complete lines of the result channel; more than RESULT_LINE bytes in one line
    or RESULT_TOTAL in all stops the process before any of it is parsed."""
    state.protocol_bytes += len(chunk)
    if state.stopped is not None:
        return
    if state.protocol_bytes > RESULT_TOTAL:
        state.stopped = Failure("protocol", f"more than {RESULT_TOTAL} bytes on the grader's channel")
        return
    *lines, rest = (bytes(state.protocol) + chunk).split(b"\n")
    state.protocol = bytearray(rest)
    for line in lines:
        if len(line) >= RESULT_LINE:
            state.stopped = Failure("too_large", "a result too large to read")
        if state.stopped is not None:
            return
        _handle_line(state, line)
    if len(state.protocol) >= RESULT_LINE:
        state.stopped = Failure("too_large", "a result too large to read")


# --- all calls of one submission -------------------------------------------------------------------

def run_calls(source: bytes | str, calls: Sequence[Call], limits: Limits | None = None, *,
              pooled: bool = True) -> RunReport:
    """Call functions of the student's file ``source`` and return one :class:`Outcome` per call.

    Arguments are plain data (numbers, strings, lists, tuples, dicts, numpy arrays), plus
    :class:`Ref` to pass the value an earlier call returned and :class:`Lambda` for functions.
    Each child is forked by the fork server (:mod:`grader.code.pool`), or with ``pooled=False``
    started as a new interpreter (the same isolation either way; the server saves the start-up).
    Never raises because of the student's code; raises :class:`SandboxUnavailable` on
    platforms without the needed system calls.
    """
    limits = limits or Limits()
    if isinstance(source, str):
        source = source.encode("utf-8")
    outcomes: dict[int, Outcome] = {}
    stopped: dict[str, Failure] = {}  # functions not called again, and why
    stdout, stderr = bytearray(), bytearray()
    containment: dict[str, object] = {}
    load_failure, processes = None, 0
    deadline = time.monotonic() + limits.total
    start = 0
    while start < len(calls) or processes == 0:
        pending = [(i, c) for i, c in enumerate(calls) if i >= start and i not in outcomes]
        todo = _runnable(pending, outcomes, stopped)
        if not todo and processes:
            break
        if time.monotonic() > deadline:
            break
        state = _run_in_fresh_folders(todo, limits, source, deadline, pooled)
        processes += 1
        stdout += state.stdout
        stderr += state.stderr
        containment = containment or state.containment
        outcomes.update(state.outcomes)
        if not state.ready:
            detail = _text(state.stderr)[-2000:] or str(_died(state, state.returncode).detail)
            load_failure = state.stopped or Failure("internal", f"the sandbox did not start: {detail}")
            break
        if state.load_failure is not None or state.current == -1:
            load_failure = state.load_failure or _died(state, state.returncode)
            break
        if state.current is not None:  # died during a call: that call fails, the rest run again
            failure = _died(state, state.returncode)
            outcomes[state.current] = Outcome(failure=failure)
            if failure.kind in STOP_FUNCTION:
                stopped[calls[state.current].function] = failure
            if failure.kind == "budget":
                break
            start = state.current + 1
        else:
            start = len(calls)
    final = _fill(calls, outcomes, load_failure)
    return RunReport(
        tuple(final), _text(stdout), _text(stderr), processes, load_failure, containment,
    )


def _run_in_fresh_folders(calls: list[tuple[int, Call]], limits: Limits, source: bytes, deadline: float,
                          pooled: bool) -> _Process:
    """One child run in new folders, forked by the fork server when ``pooled``; started on its own
    when not, when there is no server, or when the server ended during the run (the run is then
    made again from scratch)."""
    try:
        return _run_in_folders(calls, limits, source, deadline, pooled)
    except pool.ServerLost:
        pool.discard()
        return _run_in_folders(calls, limits, source, deadline, pooled=False)


def _run_in_folders(calls: list[tuple[int, Call]], limits: Limits, source: bytes, deadline: float,
                    pooled: bool) -> _Process:
    """One child run in a new sandbox folder and a new folder for its root."""
    with tempfile.TemporaryDirectory(prefix="gdbp-sandbox-", ignore_cleanup_errors=True) as directory, \
            tempfile.TemporaryDirectory(prefix="gdbp-root-", ignore_cleanup_errors=True) as root, pool.lock():
        return _run_once(Path(directory), Path(root), calls, limits, source, deadline, pooled)


def _runnable(pending, outcomes: dict[int, Outcome], stopped: Mapping[str, Failure]) -> list[tuple[int, Call]]:
    """The pending calls to run, with refs to earlier runs replaced by their values; calls whose
    function was stopped before, or that need a failed call's value, are settled in ``outcomes``."""
    run = []
    for index, call in pending:
        if call.function in stopped:
            outcomes[index] = Outcome(failure=stopped[call.function])
            continue
        try:
            args = tuple(_substitute(a, outcomes) for a in call.args)
            kwargs = {k: _substitute(v, outcomes) for k, v in call.kwargs.items()}
        except LookupError as error:
            outcomes[index] = Outcome(failure=Failure("depends", f"needs the result of call {error.args[0]}"))
            continue
        run.append((index, Call(call.function, args, kwargs, call.return_args)))
    return run


def _substitute(value, outcomes):
    """Replace a Ref to a call that already has an outcome by its value (or fail if it failed)."""
    if isinstance(value, Ref) and value.index in outcomes:
        outcome = outcomes[value.index]
        if not outcome.ok:
            raise LookupError(value.index)
        return outcome.value
    if isinstance(value, (list, tuple)):
        items = [_substitute(v, outcomes) for v in value]
        return type(value)(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _substitute(v, outcomes) for k, v in value.items()}
    return value


def _fill(calls, outcomes, load_failure) -> list[Outcome]:
    """One outcome per call: those without one failed to load or were never reached."""
    final = []
    for i in range(len(calls)):
        if i in outcomes:
            final.append(outcomes[i])
        elif load_failure is not None:
            final.append(Outcome(failure=load_failure))
        else:
            final.append(Outcome(failure=Failure("budget", "the time for this whole submission ran out")))
    return final


def _text(data: bytes | bytearray) -> str:
    """Captured output as text, cut to KEEP_OUTPUT characters."""
    text = bytes(data).decode("utf-8", "replace")
    if len(text) > KEEP_OUTPUT:
        text = text[:KEEP_OUTPUT] + f"\n[... cut after {KEEP_OUTPUT} characters]"
    return text
