"""The fork server: a prepared Python that starts each sandbox child by ``fork`` instead of a new interpreter.

Starting Python and importing numpy is most of a sandbox child's start-up (about 150 of 200 ms
per file, two thirds of its CPU time). The server (``_runner.py --serve``) does it once, then
forks one fresh child per run; the child takes its pipes, closes everything of the server's
and does the whole set-up of a child started on its own (namespaces, new root, limits, user,
capabilities, audit hook) before it reads the spec or the student's file. So:

- each run is its own fresh process, copied from a server that has never seen a student's
  file or spec (it receives only a folder's name and three pipe ends), so nothing one file
  changes (module state, ``sys.modules``, numpy's) reaches the server or a later file;
- the server is the grader's child, in its own session, not ptrace-able by processes of its user
  (``PR_SET_DUMPABLE`` 0); the children cannot see it (PID namespace) or signal it (another
  user, or the audit hook when neither is available); it is killed when the grader's process ends
  (``PR_SET_PDEATHSIG``, and the end of its socket), and its children with it;
- a server that is gone is replaced for the next run; a run it was serving is run again in a
  child started on its own (:mod:`grader.code.sandbox` does that).

One server per grader process (a process forked from the grader, as ``--jobs`` does, starts its own).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

RUNNER = Path(__file__).with_name("_runner.py")
# The runner's code is compiled as "runner.py", the name of its copy in each sandbox folder, so
# that a traceback through it reads that copy and never the grader's package.
BOOT = "import sys; p = sys.argv.pop(1); exec(compile(open(p, encoding='utf-8').read(), 'runner.py', 'exec'))"
REPLY_SECONDS = 30.0  # the longest wait for the server's answer before it counts as gone


class ServerLost(RuntimeError):
    """The fork server ended or stopped answering."""


class ForkServer:
    """One running server: start a child with :meth:`spawn`, end it with :meth:`kill`, and
    :meth:`wait` for its exit code (the server reaps it)."""

    def __init__(self, environment: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", "-X", "utf8", "-c", BOOT, str(RUNNER), "--serve", str(theirs.fileno())],
                cwd="/", env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), start_new_session=True, close_fds=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control = ours
        self.control.settimeout(REPLY_SECONDS)
        self.cpu = 0.0  # CPU seconds of the children reaped so far (the grader's RUSAGE_CHILDREN misses them)

    @property
    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process.poll() is None

    def spawn(self, cwd: Path, fds: tuple[int, int, int]) -> int:
        """Fork a child in ``cwd`` writing to the given stdout, stderr and result pipes; its pid."""
        self._send({"op": "spawn", "cwd": str(cwd)}, fds)
        message = self._receive()
        while "exit" in message:  # (a child of an earlier run reaped late)
            message = self._receive()
        if not isinstance(message.get("pid"), int):
            raise ServerLost("no child")
        return message["pid"]

    def kill(self, pid: int) -> None:
        """Kill the child's process group (when the server has not reaped it yet)."""
        with contextlib.suppress(ServerLost):
            self._send({"op": "kill", "pid": pid})

    def wait(self, pid: int) -> int:
        """The child's exit code, as :class:`subprocess.Popen` gives it, once the server has reaped it."""
        while True:
            message = self._receive()
            if message.get("exit") == pid:
                self.cpu += float(message.get("cpu", 0.0))
                return int(message["code"])

    def close(self) -> None:
        """End the server (its children end with it)."""
        self.control.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()

    def _send(self, message: dict, fds: tuple[int, ...] = ()) -> None:
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
        except OSError as error:
            raise ServerLost(str(error)) from error

    def _receive(self) -> dict:
        try:
            data = self.control.recv(4096)
        except OSError as error:  # (a timeout too)
            raise ServerLost(str(error)) from error
        if not data:
            raise ServerLost("the server ended")
        return json.loads(data)


_lock = threading.Lock()
_server: ForkServer | None = None


def server(environment: dict[str, str]) -> ForkServer | None:
    """This process's fork server, started (or replaced) when needed; None where there is none
    (not Linux, or it could not start)."""
    global _server
    if not sys.platform.startswith("linux"):
        return None
    if _server is not None and not _server.alive:
        _server.close()
        _server = None
    if _server is None:
        try:
            _server = ForkServer(environment)
        except OSError:
            return None
    return _server


def pooled_cpu() -> float:
    """CPU seconds of the children this process's current server has reaped."""
    return _server.cpu if _server is not None else 0.0


def discard() -> None:
    """End this process's server (the next run starts a new one)."""
    global _server
    if _server is not None:
        _server.close()
        _server = None


def _forget_in_forked_child() -> None:
    """A forked grader process leaves its parent's server alone and starts its own."""
    global _server, _lock
    if _server is not None:
        with contextlib.suppress(OSError):
            _server.control.close()
    _server, _lock = None, threading.Lock()


def lock() -> threading.Lock:
    """The lock a run holds while it uses the server (one run at a time per server)."""
    return _lock


atexit.register(discard)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_forked_child)
