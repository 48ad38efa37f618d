"""Nothing left behind: a command's helper processes and temporary files go when the command goes, however it ends.

A command that starts workers, kernels or a book build (``run``, ``whatif``, ``prices sync``) opens a
:class:`Janitor` first. The janitor is a small separate process that waits for the command's process to end
(a ``pidfd`` where Linux has one, else polling) and then

* kills every process the command started: each process whose environment carries the command's tag (the
  kernels and the book build, which are started with a copy of the environment) and each worker process
  that registered itself (:func:`register_this_process`; a forked worker never reads its environment back);
* deletes the command's temporary folder (``TMPDIR`` and Jupyter's runtime folder point into it, so the
  kernels' socket folders and connection files are there) and every path the command handed it
  (:meth:`Janitor.track`: a what-if's staging folder, a half-written file beside its target).

On a normal exit the command cleans up itself and stops the janitor; after ``kill -9`` the janitor does it.
A path is tracked only when the command is about to create it, so nothing it did not create is ever deleted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

# The environment variables through which the command's children find the janitor.
TAG_VARIABLE = "REPORT_RUN_TAG"
ROOT_VARIABLE = "REPORT_RUN_TEMP"
_PIDS = "pids"
_PATHS = "paths"

# Run as ``python -I -S -c`` (no site packages, no project imports): argv = command pid, tag, temp folder.
_WATCH = r"""
import os, select, shutil, signal, sys, time
pid, tag, root = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
try:
    fd = os.pidfd_open(pid)
    select.select([fd], [], [])
except (AttributeError, OSError):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(0.1)

def start_time(p):
    # A live process's start time; None for a zombie (killed, waiting for whoever adopted it to reap it).
    try:
        with open(f"/proc/{p}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return None if fields[0] == b"Z" else fields[19].decode()
    except (OSError, IndexError):
        return None

def registered():
    try:
        names = os.listdir(os.path.join(root, "pids"))
    except OSError:
        return []
    found = []
    for name in names:
        p, _, started = name.partition("-")
        if p.isdigit() and start_time(p) == started:
            found.append(int(p))
    return found

def tagged():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if b"REPORT_RUN_TAG=" + tag in f.read().split(b"\0") and start_time(entry) is not None:
                    found.append(int(entry))
        except OSError:
            pass
    return found

for _ in range(100):
    victims = set(registered()) | set(tagged() if os.path.isdir("/proc") else [])
    if not victims:
        break
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.05)
try:
    with open(os.path.join(root, "paths"), "rb") as f:
        paths = [line for line in f.read().split(b"\0") if line]
except OSError:
    paths = []
for path in paths:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass
shutil.rmtree(root, ignore_errors=True)
"""

_ACTIVE: list[Janitor] = []


class Janitor:
    """Cleans up after a command however it ends; use as a context manager around the command's work.

    Inside it, ``TMPDIR``, :data:`tempfile.tempdir` and ``JUPYTER_RUNTIME_DIR`` point into the command's own
    temporary folder, and every child process inherits the command's tag. Both are put back on exit.
    """

    def __init__(self, label: str):
        self.label = label
        self.root: Path | None = None
        self._watcher: subprocess.Popen | None = None
        self._saved: dict[str, str | None] = {}
        self._saved_tempdir: str | None = None
        self._tracked: list[Path] = []

    def __enter__(self) -> Janitor:
        self.root = Path(tempfile.mkdtemp(prefix=f"report-{self.label}-"))
        (self.root / _PIDS).mkdir()
        tag = uuid.uuid4().hex
        # Started before the tag enters the environment, so the janitor never finds itself; a session of its
        # own, so the Ctrl-C that stops the command does not stop its janitor.
        self._watcher = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCH, str(os.getpid()), tag, str(self.root)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        runtime = self.root / "jupyter-runtime"
        runtime.mkdir()
        for name, value in {TAG_VARIABLE: tag, ROOT_VARIABLE: str(self.root), "TMPDIR": str(self.root),
                            "JUPYTER_RUNTIME_DIR": str(runtime)}.items():
            self._saved[name] = os.environ.get(name)
            os.environ[name] = value
        self._saved_tempdir = tempfile.tempdir
        tempfile.tempdir = str(self.root)
        _ACTIVE.append(self)
        return self

    def track(self, path: Path) -> Path:
        """Hand ``path`` (about to be created by this command) to the janitor: it is deleted if the command dies.
        Listed as the file system's bytes, so any name (one that is not valid UTF-8 too) is listed whole."""
        assert self.root is not None, "track() needs an open Janitor"
        with open(self.root / _PATHS, "ab") as listing:
            listing.write(os.fsencode(Path(path).absolute()) + b"\0")
        self._tracked.append(Path(path))
        return Path(path)

    def __exit__(self, *exc) -> None:
        _ACTIVE.remove(self)
        tempfile.tempdir = self._saved_tempdir
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self._watcher is not None:
            self._watcher.kill()
            self._watcher.wait()
        for path in self._tracked:
            remove(path)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)


def remove(path: Path) -> None:
    """Delete a file or folder this command created, if it is still there (never raising: a clean-up that
    cannot finish must not hide why the command ended)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        try:
            path.unlink()
        except OSError:
            pass


def track(path: Path) -> Path:
    """:meth:`Janitor.track` on the innermost open janitor of this process; without one, nothing to do."""
    if _ACTIVE:
        _ACTIVE[-1].track(path)
    return Path(path)


def register_this_process() -> None:
    """A forked worker's entry in its command's janitor (by pid and start time, so a reused pid is never killed)."""
    root = os.environ.get(ROOT_VARIABLE)
    if not root or not os.path.isdir("/proc"):
        return
    try:
        with open(f"/proc/{os.getpid()}/stat", "rb") as stat:
            started = stat.read().rsplit(b")", 1)[1].split()[19].decode()
        (Path(root) / _PIDS / f"{os.getpid()}-{started}").touch()
    except (OSError, IndexError):
        pass
