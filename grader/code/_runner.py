"""The child side of the sandbox: runs a student's file and calls its functions.

This file is copied into the sandbox directory and run there by :mod:`grader.code.sandbox`
as ``python -I -B runner.py spec.json RESULT_FD``. It uses only the standard library and
numpy, never the ``grader`` package, and knows nothing about expected values: it receives
inputs, calls the student's functions, and writes what they return to RESULT_FD, one JSON
object per line. The parent judges.

Order of events, all before any student code runs: read and delete the spec; import numpy
and the modules students may use; enter new mount, network and PID namespaces when the kernel
allows it (in a new user namespace when not root), and in the mount namespace move to a new
read-only root holding only the Python installation, system libraries and the sandbox folder;
fork, so that the student's code runs inside its own PID namespace; set resource limits; when
running as root, become ``nobody``; drop every capability; forbid new processes; install an
audit hook that ends the process on any forbidden action.

Run as ``python -I -B -c BOOT runner --serve FD`` (:mod:`grader.code.pool`), it is the fork server:
it imports numpy and the modules above once, then forks one child per request, which takes its
pipes, closes everything of the server's and runs :func:`main` as above (:func:`serve`).
"""

import builtins
import collections  # noqa: F401  (preloaded for students)
import contextlib
import copy
import fractions  # noqa: F401
import functools  # noqa: F401
import importlib
import importlib.util
import itertools  # noqa: F401
import json
import linecache
import math
import os
import random  # noqa: F401
import re
import resource
import signal
import stat as stat_module
import statistics  # noqa: F401
import sys
import traceback
import typing  # noqa: F401

import numpy
import numpy.linalg  # noqa: F401
import numpy.random  # noqa: F401

try:  # the kernel interfaces (namespaces, mounts, capabilities); used before the student's code only
    import ctypes

    LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except (ImportError, OSError):  # (then nothing below uses ctypes: every use is behind LIBC)
    LIBC = None

# Loaded now so that a student's ``import`` finds them even when the Python installation is
# not readable by the unprivileged user the code runs as (socket and subprocess stay usable
# only in name: the audit hook stops every use).
PRELOAD = ("abc", "bisect", "cmath", "contextlib", "dataclasses", "datetime", "decimal", "enum", "heapq",
           "numbers", "operator", "pprint", "re", "socket", "string", "subprocess", "textwrap", "threading",
           "warnings", "collections.abc", "numpy.fft", "numpy.polynomial", "encodings.idna")
for _name in PRELOAD:
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)

VIOLATION_EXIT = 86
MAX_ITEMS = 200_000  # numbers a result may hold before it counts as too large
MAX_TEXT = 2_000
TOO_LARGE = {"kind": "too_large", "type": "", "message": "", "line": None, "trace": ""}


# --- the result channel ---------------------------------------------------------------------

class Channel:
    """Newline-delimited JSON events to the parent on one inherited file descriptor; the parent
    reads at most ``limit`` bytes per line."""

    def __init__(self, fd, limit):
        self.fd = fd
        self.limit = limit
        self.write = os.write
        self.dumps = json.dumps

    def line(self, event):
        """One event as the bytes of one line."""
        return (self.dumps(event, allow_nan=True) + "\n").encode("utf-8", "backslashreplace")

    def send(self, event):
        """Write one event; a result too long for the parent's line limit is sent as 'too large'."""
        data = self.line(event)
        if len(data) > self.limit:
            data = self.line({"e": event["e"], "i": event.get("i"), "ok": False, "error": TOO_LARGE})
        while data:
            written = self.write(self.fd, data)
            data = data[written:]


# --- values in and out -------------------------------------------------------------------------

class TooLarge(Exception):
    """A result with more than MAX_ITEMS numbers."""


def encode(value, budget=None):
    """A value as JSON-ready data, tagging what JSON cannot say (arrays, tuples, dicts, objects)."""
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge()
    if value is None or type(value) in (bool, int, float, str):
        if type(value) is int and abs(value) > 2**63:
            return float(value)
        if type(value) is str:
            return value[:MAX_TEXT]
        return value
    if isinstance(value, numpy.ndarray):
        budget[0] -= value.size
        if budget[0] < 0:
            raise TooLarge()
        kind = value.dtype.kind
        if kind in "biuf":
            data = value.astype(float).tolist()
        elif kind == "c":
            data = value.real.astype(float).tolist()
        else:
            return {"__object__": "ndarray[" + str(value.dtype) + "]", "repr": repr(value)[:MAX_TEXT],
                    "shape": list(value.shape)}
        return {"__nd__": data, "shape": list(value.shape), "dtype": str(value.dtype)}
    if isinstance(value, numpy.generic):
        if isinstance(value, (numpy.bool_, numpy.integer, numpy.floating)):
            return {"__scalar__": float(value), "dtype": str(value.dtype)}
        return {"__object__": type(value).__name__, "repr": repr(value)[:MAX_TEXT]}
    if type(value) is list:
        return [encode(v, budget) for v in value]
    if type(value) is tuple:
        return {"__tuple__": [encode(v, budget) for v in value]}
    if type(value) is dict:
        return {"__dict__": [[encode(k, budget), encode(v, budget)] for k, v in value.items()]}
    if isinstance(value, (int, float)):  # subclasses of numbers: keep the number
        return float(value)
    return {"__object__": type(value).__name__, "repr": repr(value)[:MAX_TEXT]}


def decode(data, results, namespace):
    """Inverse of the parent's encoding of arguments: arrays, tuples, dicts, refs and lambdas."""
    if isinstance(data, list):
        return [decode(v, results, namespace) for v in data]
    if not isinstance(data, dict):
        return data
    if "__nd__" in data:
        return numpy.array(data["__nd__"], dtype=data.get("dtype", "float64")).reshape(data["shape"])
    if "__tuple__" in data:
        return tuple(decode(v, results, namespace) for v in data["__tuple__"])
    if "__dict__" in data:
        return {decode(k, results, namespace): decode(v, results, namespace) for k, v in data["__dict__"]}
    if "__lambda__" in data:
        return eval(data["__lambda__"], dict(namespace))  # trusted: written by the grader
    if "__ref__" in data:
        index = data["__ref__"]
        if index not in results:
            raise LookupError(index)
        return copy.deepcopy(results[index])
    if "__scalar__" in data:
        return numpy.dtype(data.get("dtype", "float64")).type(data["__scalar__"])
    raise ValueError("unknown tagged value")


# --- containment -----------------------------------------------------------------------------

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER = 0x00020000, 0x40000000, 0x20000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
# Flags a mount inside a user namespace must keep when it is remounted (they are locked).
LOCKED = ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, 1024), (os.ST_NODIRATIME, 2048), (os.ST_RELATIME, 1 << 21))
MNT_DETACH, PR_SET_NO_NEW_PRIVS = 2, 38
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}  # syscall numbers (glibc has no wrapper)
SYSTEM_FILES = ("/usr", "/lib", "/lib64", "/etc/ld.so.cache")  # shared libraries of Python's extensions


def isolate(plan):
    """Enter new mount, network and PID namespaces (inside a new user namespace when not root)
    as far as the kernel allows; with a mount namespace, make the filesystem the child sees
    (:func:`new_root`). Returns {"network": ..., "pid": bool, "filesystem": ...}."""
    weakest = {"network": "audit-hook", "pid": False, "filesystem": "audit-hook"}
    if LIBC is None:
        return weakest
    uid, gid = os.geteuid(), os.getegid()
    user = 0 if uid == 0 else CLONE_NEWUSER
    for flags in (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID, CLONE_NEWNS | CLONE_NEWNET,
                  CLONE_NEWNET | CLONE_NEWPID, CLONE_NEWNET):
        if LIBC.unshare(flags | user) == 0:
            break
    else:
        return weakest
    if user:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    filesystem = "audit-hook"
    if flags & CLONE_NEWNS and os.uname().machine in PIVOT_ROOT:
        new_root(plan)
        filesystem = "mount-namespace"
    return {"network": "namespace", "pid": bool(flags & CLONE_NEWPID), "filesystem": filesystem}


def new_root(plan):
    """Replace the filesystem this process sees by a new, read-only root that holds only the
    Python installation and system libraries (read-only, the grader's own files hidden) and
    the sandbox folder (writable, no programs run from it). The old root is detached, so no
    path and no handle opened later can reach it."""
    root, sandbox = plan["root"], plan["sandbox"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    links, reals = [], set()
    for path in plan["expose"]:
        if os.path.exists(path):
            found, real = _resolve(path)
            if not any(p == real or p.startswith(real + "/") for p in (sandbox, os.path.realpath(root))):
                links += found  # (a place holding the sandbox folder or the new root is never exposed)
                reals.add(real)
    bound = []
    for real in sorted(reals, key=len):  # a folder before what it holds: bind each place once
        if not any(real == b or real.startswith(b + "/") for b in bound):
            _bind(real, root + real, MS_RDONLY | MS_NOSUID | MS_NODEV)
            bound.append(real)
    for where, target in links:
        if not os.path.lexists(root + where):
            os.makedirs(os.path.dirname(root + where), exist_ok=True)
            os.symlink(target, root + where)
    _bind(sandbox, root + sandbox, MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in plan["hide"]:
        if os.path.isdir(root + path):
            _mount("tmpfs", root + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    os.chdir(root)
    if LIBC.syscall(PIVOT_ROOT[os.uname().machine], b".", b".") != 0 or LIBC.umount2(b".", MNT_DETACH) != 0:
        _fail("pivot_root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(sandbox)


def _resolve(path):
    """The symbolic links met on the way to ``path``, as (where, target), and its real path."""
    links, current = [], ""
    parts = [p for p in path.split("/") if p]
    while parts:
        current += "/" + parts.pop(0)
        if os.path.islink(current):
            links.append((current, os.readlink(current)))
            parts = [p for p in os.path.realpath(current).split("/") if p] + parts
            current = ""
    return links, current or "/"


def _bind(source, target, flags):
    """Bind ``source`` (and the mounts below it) at ``target``, then remount each with ``flags``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    _mount(source, target, None, MS_BIND | MS_REC)
    for point in _mounts_under(target):
        kept = os.statvfs(point).f_flag
        extra = sum(ms for st, ms in LOCKED if kept & st)
        _mount(None, point, None, MS_REMOUNT | MS_BIND | flags | extra)


def _mounts_under(target):
    """Mount points at or below ``target`` in this mount namespace (from /proc/self/mountinfo)."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if point == target or point.startswith(target + "/"):
                points.append(point)
    return points


def _mount(source, target, fstype, flags, data=None):
    """mount(2), raising OSError on failure."""
    def encode(text):
        return None if text is None else os.fsencode(text)

    if LIBC.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        _fail("mount " + target)


def _fail(what):
    """The OSError of the last failed C call."""
    number = ctypes.get_errno()
    raise OSError(number, os.strerror(number), what)


def enter_pid_namespace():
    """Fork into the new PID namespace. Its PID 1 only reaps: the student's code runs as PID 2,
    with ordinary signal handling, and cannot see or signal any process outside the namespace
    (the grader included). Each waiting process exits as its child did (a signal as 128 + n)."""
    if os.fork() != 0:
        _mirror(outermost=True)
    die_with_parent()
    if os.fork() != 0:
        _mirror(outermost=False)
    die_with_parent()


def _mirror(outermost):
    """Wait for the only child and end the same way: PID 1 cannot die of its own signal, so it
    reports one as exit status 128 + n, which the outermost process turns back into the signal."""
    _, status = os.waitpid(-1, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    if outermost and code > 128:
        signal.signal(code - 128, signal.SIG_DFL)
        os.kill(os.getpid(), code - 128)
    os._exit(code)


def die_with_parent():
    """Be killed when the parent process ends (set again after any change of user, which clears it)."""
    if LIBC is not None and sys.platform.startswith("linux"):
        parent = os.getppid()
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the request
            os._exit(1)


def set_limits(limits):
    """Kernel resource limits for this process (they also bind anything it could start)."""
    cpu = max(1, int(math.ceil(limits["cpu"])))
    pairs = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (limits["memory"], limits["memory"])),
        (resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"])),
        (resource.RLIMIT_NOFILE, (limits["files"], limits["files"])),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    for which, pair in pairs:
        try:
            resource.setrlimit(which, pair)
        except (ValueError, OSError):  # e.g. a hard limit below ours, or RLIMIT_AS on macOS
            soft, hard = resource.getrlimit(which)
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(which, (min(pair[0], hard) if hard != resource.RLIM_INFINITY else pair[0], hard))


def drop_privileges(uid):
    """As root, become ``uid`` (nobody) so that the kernel enforces the process limit and file modes."""
    if os.geteuid() != 0 or uid is None:
        return False
    try:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    except OSError:
        return False
    return True


def drop_capabilities():
    """Give up every capability (a new user namespace grants them all) and the means to gain
    any by running a program; True when the kernel confirms that none is left."""
    if LIBC is None:
        return False
    LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    LIBC.capset(header, (ctypes.c_uint32 * 6)())
    sets = (ctypes.c_uint32 * 6)(*[0xFFFFFFFF] * 6)
    return LIBC.capget(header, sets) == 0 and not any(sets)


def forbid_processes():
    """RLIMIT_NPROC = 0: the kernel refuses fork and new threads (not enforced for root)."""
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):
        return False
    return os.geteuid() != 0


FORBIDDEN = {
    "os.system": "process", "os.exec": "process", "os.posix_spawn": "process", "os.spawn": "process",
    "os.fork": "process", "os.forkpty": "process", "subprocess.Popen": "process", "os.startfile": "process",
    "pty.spawn": "process", "webbrowser.open": "process",
    "os.kill": "signal", "os.killpg": "signal", "signal.pthread_kill": "signal",
    "os.chdir": "chdir", "os.symlink": "link", "os.link": "link",
    "gc.get_objects": "introspection", "gc.get_referrers": "introspection", "gc.get_referents": "introspection",
    "sys.settrace": "introspection", "sys.setprofile": "introspection", "sys._current_frames": "introspection",
    "sys.monitoring.register_callback": "introspection", "resource.setrlimit": "limits",
    "resource.prlimit": "limits",
}
FORBIDDEN_PREFIXES = ("socket.", "ctypes.", "_ctypes.", "sqlite3.", "dbm.", "ssl.", "winreg.")
WRITE_EVENTS = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.utime",
                "os.truncate", "os.setxattr", "os.removexattr", "os.chflags", "shutil.rmtree", "shutil.move",
                "shutil.copyfile", "shutil.copytree")
READ_EVENTS = ("os.listdir", "os.scandir", "glob.glob")


def make_hook(sandbox, read_roots, denied, report_fd):
    """The audit hook: any forbidden action writes one line to the parent and ends the process.

    It never raises into student code (so nothing can catch it), and every name it uses is
    bound here, so that replacing functions in ``os`` or ``builtins`` cannot change its mind.
    """
    source = '''
def hook(event, args, _type=type, _str=str, _bytes=bytes, _int=int, _len=len,
         _write=write, _exit=exit, _fd=fd, _sandbox=sandbox, _roots=roots, _denied=denied,
         _forbidden=forbidden, _writes=writes, _reads=reads, _code=code, _wflags=wflags,
         _dflags=dflags, _prefixes=prefixes, _stat=stat, _isdir=isdir):
    def norm(path):
        if _type(path) is _bytes:
            path = path.decode("utf-8", "surrogateescape")
        if _type(path) is not _str:
            return None
        if not path.startswith("/"):
            path = _sandbox + "/" + path
        parts = []
        for part in path.split("/"):
            if part == "" or part == ".":
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return "/" + "/".join(parts)

    def under(path, roots):
        for root in roots:
            if path == root or path.startswith(root + "/"):
                return True
        return False

    def readable(path):
        return under(path, (_sandbox,)) or (under(path, _roots) and not under(path, _denied))

    def stop(what, detail):
        line = "V\\t" + what + "\\t" + _str(detail).encode("utf-8", "backslashreplace").hex() + "\\n"
        _write(_fd, line.encode("ascii"))
        _exit(_code)

    if event in _forbidden:
        stop(_forbidden[event], event)
    for prefix in _prefixes:
        if event.startswith(prefix):
            stop("network" if prefix in ("socket.", "ssl.") else "native", event)
    if event == "open":
        path, mode, flags = args
        if _type(path) is _int:
            return
        target = norm(path)
        if target is None:
            stop("path", "open() with a %s; pass the path as a str" % _type(path).__name__)
        writing = False
        if _type(mode) is _str:
            for letter in "wax+":
                if letter in mode:
                    writing = True
        if _type(flags) is _int and flags & _wflags:
            writing = True
        if under(target, (_sandbox,)):
            return
        if writing:
            stop("write", target)
        if not readable(target):
            stop("read", target)
        # A directory handle outside the folder would let dir_fd, os.fwalk, os.scandir(fd) or
        # /proc/self/fd reach past every rule below (they see only names relative to it).
        if _type(flags) is _int and flags & _dflags:
            stop("read", target)
        try:
            mode = _stat(target).st_mode
        except OSError:
            return
        if _isdir(mode):
            stop("read", target)
        return
    if event == "import":
        filename = args[1] if _len(args) > 1 else None
        if filename is None or _type(filename) is not _str:
            return
        target = norm(filename)
        if under(target, (_sandbox,)):
            if not target.endswith(".py"):
                stop("native", target)
        elif not readable(target):
            stop("read", target)
        return
    if event in _reads:
        path = args[0] if _len(args) else None
        if path is None or _type(path) is _int:
            return
        target = norm(path)
        if target is None or not readable(target):
            stop("read", path)
        return
    if event in _writes:
        for path in args[:2]:
            if path is None or _type(path) is _int:
                continue
            target = norm(path)
            if target is None or not under(target, (_sandbox,)):
                stop("write", path)
'''
    namespace = {
        "__builtins__": {}, "type": type, "str": str, "bytes": bytes, "int": int, "len": len,
        "write": os.write, "exit": os._exit, "fd": report_fd, "sandbox": sandbox,
        "roots": tuple(read_roots), "denied": tuple(denied), "forbidden": dict(FORBIDDEN),
        "writes": WRITE_EVENTS, "reads": READ_EVENTS, "code": VIOLATION_EXIT,
        "prefixes": FORBIDDEN_PREFIXES,
        "wflags": os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND,
        "dflags": os.O_DIRECTORY | getattr(os, "O_PATH", 0), "stat": os.stat, "isdir": stat_module.S_ISDIR,
    }
    exec(compile(source, "<sandbox-audit-hook>", "exec"), namespace)
    return namespace["hook"]


def read_roots(extra):
    """Where imports may read from: the Python installation and installed packages."""
    roots = set()
    for entry in sys.path + list(extra):
        if entry and os.path.isdir(entry):
            roots.add(os.path.realpath(entry))
            roots.add(os.path.abspath(entry))
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix):
        roots.add(os.path.realpath(os.path.join(prefix, "lib")))
    return sorted(roots)


def hide_editable_finders():
    """Drop meta path finders of editable installs (they would import the grader's own package)."""
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")
                        and "__editable__" not in getattr(type(f), "__module__", "")]


# --- running the student's code ---------------------------------------------------------------

def student_trace(error, submission):
    """Where in the student's file the error happened (frames of other files are left out)."""
    frames = traceback.extract_tb(error.__traceback__)
    lines, last = [], None
    for frame in frames:
        if frame.filename == submission:
            text = linecache.getline(submission, frame.lineno).strip()
            line = f"line {frame.lineno}, in {frame.name}: {text[:200]}"
            if not lines or lines[-1] != line:
                lines.append(line)
            last = frame.lineno
    if isinstance(error, SyntaxError) and error.lineno and os.path.realpath(error.filename or "") == submission:
        last = error.lineno
        lines.append(f"line {error.lineno}: {(error.text or '').strip()[:200]}")
    return "\n".join(lines[-5:]), last


def failure(error, submission):
    """A student's exception as the data the parent reports."""
    if isinstance(error, MemoryError):
        kind = "memory"
    elif isinstance(error, SystemExit):
        kind = "exit"
    elif isinstance(error, RecursionError):
        kind = "recursion"
    elif isinstance(error, NotImplementedError):
        kind = "not_implemented"
    else:
        kind = "exception"
    try:
        message = str(error)[:MAX_TEXT]
    except BaseException:
        message = ""
    trace, line = student_trace(error, submission)
    return {"kind": kind, "type": type(error).__name__, "message": message, "line": line, "trace": trace}


def main():
    """Run one submission: ``runner.py SPEC RESULT_FD``, in the sandbox folder."""
    spec_path, result_fd = sys.argv[1], int(sys.argv[2])
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    os.unlink(spec_path)
    channel = Channel(result_fd, spec["limits"]["line"])
    sandbox = os.path.realpath(os.getcwd())
    submission = os.path.join(sandbox, spec["submission"])
    limits = spec["limits"]

    roots = read_roots(spec.get("read_roots", ()))
    denied = [os.path.realpath(d) for d in spec.get("denied", ())]
    isolation = isolate({"root": spec["root"], "sandbox": sandbox, "expose": (*SYSTEM_FILES, *roots), "hide": denied})
    if isolation["pid"]:
        enter_pid_namespace()
    set_limits(limits)
    dropped = drop_privileges(spec.get("uid"))
    capabilities = drop_capabilities()
    nproc = forbid_processes()
    if dropped:  # (becoming another user cleared it)
        die_with_parent()
    hide_editable_finders()
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != sandbox]
    if spec.get("audit_hook", True):  # only tests turn it off, to check the layers below it
        sys.addaudithook(make_hook(sandbox, roots, denied, result_fd))
    channel.send({"e": "ready", "network": isolation["network"], "pid_namespace": isolation["pid"],
                  "filesystem": isolation["filesystem"], "nobody": dropped, "no_capabilities": capabilities,
                  "nproc": nproc})

    namespace = {"np": numpy, "numpy": numpy, "math": math, "__builtins__": builtins}
    try:
        module_spec = importlib.util.spec_from_file_location("submission", submission)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules["submission"] = module
        module_spec.loader.exec_module(module)
    except BaseException as error:  # noqa: B036 - anything the student's file does is reported
        channel.send({"e": "load_end", "ok": False, "error": failure(error, submission)})
        return
    channel.send({"e": "load_end", "ok": True})

    results = {}
    for call in spec["calls"]:
        index = call["index"]
        event = {"e": "end", "i": index}
        try:
            function = getattr(module, call["function"], None)
            if not callable(function):
                event.update(ok=False, error={"kind": "missing", "type": "", "message": call["function"],
                                              "line": None, "trace": ""})
            else:
                try:
                    args = decode(call["args"], results, namespace)
                    kwargs = decode(call["kwargs"], results, namespace)
                except LookupError as missing:
                    event.update(ok=False, error={"kind": "depends", "type": "", "message": str(missing),
                                                  "line": None, "trace": ""})
                else:
                    value = function(*args, **kwargs)
                    results[index] = value
                    event.update(ok=True, value=encode(value))
                    if call.get("return_args"):
                        event["args"] = encode(args)
        except TooLarge:
            event.update(ok=False, error=TOO_LARGE)
        except BaseException as error:  # noqa: B036 - SystemExit and KeyboardInterrupt too
            event.update(ok=False, error=failure(error, submission))
        channel.send(event)


# --- the fork server: prepared children, one fresh process per file ---------------------------

def serve(control_fd):
    """Fork one fresh child per request on the control socket, until the grader closes it.

    The server has imported numpy and the modules above, and nothing else: it never opens a
    spec or a student's file. A request is ``{"op": "spawn", "cwd": folder}`` with the write ends
    of the child's stdout, stderr and result pipes attached (the reply is ``{"pid": n}``), or
    ``{"op": "kill", "pid": n}`` for one of its live children. When a child ends, the server reaps it
    and sends ``{"exit": pid, "code": returncode, "cpu": seconds}``. It ends with the grader: on the
    socket's end, or by a signal when the grader's process ends; its children end with it.
    """
    import select
    import socket

    die_with_parent()
    if LIBC is not None:
        LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no ptrace by a process of the same user
    control = socket.socket(fileno=control_fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live = set()
    while True:
        ready, _, _ = select.select([control, wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 512)
            reap(control, live)
        if control not in ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(control, 4096, 3)
        except OSError:
            data, fds = b"", []
        if not data:  # the grader has gone: so do its children
            for pid in live:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            os._exit(0)
        request = json.loads(data)
        if request.get("op") == "kill" and request.get("pid") in live:
            with contextlib.suppress(OSError):
                os.killpg(request["pid"], signal.SIGKILL)
        elif request.get("op") == "spawn" and len(fds) == 3:
            pid = os.fork()
            if pid == 0:
                child(control, fds, request["cwd"])
            live.add(pid)
            control.send(json.dumps({"pid": pid}).encode())
        for fd in fds:
            os.close(fd)


def reap(control, live):
    """Reap the children that have ended and report each one's exit code and CPU time."""
    for pid in list(live):
        found, status, usage = os.wait4(pid, os.WNOHANG)
        if found == pid:
            live.discard(pid)
            cpu = usage.ru_utime + usage.ru_stime
            control.send(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status), "cpu": cpu}).encode())


def child(control, fds, cwd):
    """In a freshly forked child: drop everything of the server's (its socket, its wake-up pipe:
    every descriptor but the pipes), take the pipes, and run :func:`main` in ``cwd`` exactly as a
    child started on its own would."""
    code = 0
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if LIBC is not None:
            LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as a new process (a user namespace needs it)
        die_with_parent()
        os.setsid()
        stdout, stderr, result = fds
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.dup2(result, 3)
        control.detach()
        os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        os.chdir(cwd)
        for name in ("HOME", "TMPDIR"):
            os.environ[name] = cwd
        numpy.random.seed()  # (Python's random module reseeds itself in a forked child)
        sys.argv[:] = ["runner.py", "spec.json", "3"]
        main()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: B036 - as an uncaught error would end a child started on its own
        code = 1
        with contextlib.suppress(BaseException):
            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(code)


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(int(sys.argv[2]))
elif __name__ == "__main__":
    main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
