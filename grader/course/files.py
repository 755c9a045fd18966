"""Writing a run's files so that a reader never sees a part, and one run at a time per folder.

- The many per-student files (sheets, reports) are written into one staging folder of the
  run (:func:`staged`) and published only after all of them are written, each by one
  rename (:func:`publish`);
- the other files each by a temporary file in the same folder, then ``os.replace``
  (:func:`write_atomic`); the gradebook and the key are also fsynced, so a run killed
  midway leaves the previous ones intact;
- :func:`output_lock` refuses a second run into the same folder while one writes, and
  :func:`remove_stale_temporaries` clears what a killed run left.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from grader.course.inputs import InstructorError
from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "busy": {
        "en": "another grader run is writing into {out}; wait for it to finish, or choose another --out",
        "zh": "另一个 grader 进程正在写入 {out};请等它结束,或换一个 --out 目录",
    },
}


def _message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


def write_atomic(path: Path, data: str | bytes, durable: bool = False) -> None:
    """Write a file so that readers see the old or the new content, never a part.

    ``durable`` also fsyncs the file and its folder (used for the gradebook and the key).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable and hasattr(os, "O_DIRECTORY"):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")  # what write_atomic's mkstemp names look like

STAGING = re.compile(r"\.staging\.[A-Za-z0-9_]{8}\.tmp")  # what staging_folder's mkdtemp names look like


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files of :func:`write_atomic` and the staging folders left by a run that was killed."""
    if folder.is_dir():
        for stale in folder.glob(".staging.*.tmp"):
            if STAGING.fullmatch(stale.name) and stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
        for stale in folder.rglob(".*.tmp"):
            if TEMPORARY.fullmatch(stale.name) and stale.is_file():
                stale.unlink(missing_ok=True)


def staging_folder(out: Path) -> Path:
    """A new, private folder in ``out`` where a run writes its per-student files before :func:`publish`."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=out, prefix=".staging.", suffix=".tmp"))


def write_staged(path: Path, data: str) -> None:
    """Write a file in a staging folder (no rename of its own: :func:`publish` makes it visible).

    Readable by its owner only, as :func:`write_atomic`'s files are. Its folder is made when
    the first file goes in.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, flags, 0o600)
    try:  # os.write on the descriptor: no buffered file object per file
        payload = memoryview(data.encode("utf-8"))
        while payload:
            payload = payload[os.write(descriptor, payload):]
    finally:
        os.close(descriptor)


def publish(staging: Path, out: Path) -> None:
    """Move every file of a complete staging folder to the same place under ``out``, then remove it.

    Each file arrives by one ``os.replace``, so a reader sees a file's old or new content,
    never a part; a folder that ``out`` does not have yet arrives whole, by one rename (a
    reader sees none of it or all of it). A run interrupted before this step leaves every
    earlier file as it was (its staging folder is removed at the next run's start). Atomicity
    costs one rename per file or new folder and nothing per write; no file is fsynced (the
    gradebook and the key are, by :func:`write_atomic`, after this). Moving new folders whole
    also spares removing thousands of emptied ones, which costs more than writing them.
    """
    for folder, subfolders, files in os.walk(staging):
        target = out / Path(folder).relative_to(staging)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(os.path.join(folder, name), target / name)
        new = [name for name in subfolders if not os.path.lexists(target / name)]
        for name in new:
            os.rename(os.path.join(folder, name), target / name)
        subfolders[:] = [name for name in subfolders if name not in new]
    shutil.rmtree(staging)


@contextmanager
def staged(out: Path):
    """A staging folder for the block's per-student files, published when the block completes.

    If the block raises, the folder is deleted and nothing of it is published.
    """
    staging = staging_folder(out)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, out)


@contextmanager
def output_lock(out: Path, lang: str = "en"):
    """Hold ``out`` for one run: a second run into the same folder is refused while this one
    writes (it would remove this run's staging folder and temporary files as stale)."""
    out.mkdir(parents=True, exist_ok=True)
    handle = os.open(out / ".grader.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstructorError(_message("busy", lang, out=out)) from None
        yield
    finally:
        os.close(handle)
