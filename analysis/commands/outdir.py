"""Output folders a command owns: it writes only into a folder that is new, empty, or marked as its own.

``whatif --out`` replaces a whole folder, so the folder must be one the what-if may replace. :func:`check`
refuses, before any work, a file, the root or home folder, the checkout or any folder holding it, a folder of
the project, a folder holding one of the command's inputs, and any folder that is neither empty nor marked by
an earlier what-if. The marker (:data:`MARKER`) records every path the what-if wrote, with each file's sha256,
so a folder into which someone has since put a file of their own, or in which they changed one, is refused
too, naming it; a marker written by hand cannot cover files no what-if wrote unless it gives their digests.

The new report is built in a staging folder beside ``--out`` (same file system) and swapped in by
:func:`swap_in` only when complete: an atomic exchange of the two folders where Linux offers one
(``renameat2`` with ``RENAME_EXCHANGE``), else two renames. Until then ``--out`` is as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from analysis import paths

MARKER = ".whatif-report.json"
_WRITER = "python -m analysis whatif"
# Folders of the project itself: the published report and its sources are never an --out.
PROJECT_FOLDERS = ("analysis", "data", "notebooks", "book", "tests", "bench", "_ext", "_static", "_templates",
                   ".ci", ".git", ".venv", ".cache", ".hypothesis", "_build")
_SHOWN = 5  # unexpected files named in a refusal


class OutDirError(ValueError):
    """An output folder the command may not write: the message says why and what to choose instead."""


def _shown(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(shown(name) for name in names[:_SHOWN]) + more


def shown(path: Path | str) -> str:
    """A path as a one-line message can hold it: as it is when printable, else quoted with its escapes
    (a newline in a folder's name would split the message)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def written_paths(folder: Path) -> list[str]:
    """Every file, folder and link under ``folder``, relative and sorted (the marker itself excluded)."""
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        for name in dirs + files:
            found.append((base / name).as_posix())
    return sorted(p for p in found if p != MARKER)


def _first_entries(folder: Path, count: int = _SHOWN + 1) -> list[str]:
    """A few names of what a folder holds, without walking it all (``--out /usr`` should be refused at once)."""
    names = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name != MARKER:
                names.append(entry.name)
            if len(names) >= count:
                break
    return sorted(names)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def contents(folder: Path) -> dict[str, str]:
    """What a what-if wrote under ``folder``: each file's sha256, ``"folder"`` for a folder, ``"link"`` for a link."""
    record = {}
    for relative in written_paths(folder):
        path = folder / relative
        record[relative] = "link" if path.is_symlink() else "folder" if path.is_dir() else _digest(path)
    return record


def _marked(folder: Path) -> dict[str, str] | None:
    """The contents an earlier what-if recorded in ``folder``'s marker, or None when it has no valid marker."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("written_by") != _WRITER or not isinstance(record.get("contents"),
                                                                                             dict):
        return None
    return {str(k): str(v) for k, v in record["contents"].items()}


def write_marker(folder: Path) -> None:
    """Record every path under ``folder``, with each file's sha256, as written by the what-if (call it last, on
    the complete report)."""
    record = {"written_by": _WRITER,
              "note": "Written by a what-if report. The next what-if with this --out replaces this folder, and "
                      "refuses to if it holds anything not recorded here, or a file changed since.",
              "contents": contents(folder)}
    (folder / MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def check(out: Path, inputs: dict[str, Path], option: str = "--out") -> None:
    """Refuse an output folder the command may not replace; return quietly when it may.

    Parameters
    ----------
    out : the folder asked for, absolute.
    inputs : what the command reads, by the option that named it (``{"--data": ...}``): none may lie inside
        ``out``, and ``out`` may not lie inside ``--data``.
    """
    where = f"{option} {shown(out)}"
    problem = paths.too_long(out)
    if problem:
        raise OutDirError(f"{where}: {problem}; choose a shorter name")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutDirError(f"{where} is a file, not a folder: give a new folder, an empty one, or an earlier "
                          "what-if report's folder")
    if out == Path(out.anchor):
        raise OutDirError(f"{where} is the root folder: give a new folder, such as whatif-report")
    home = Path.home().resolve()
    if home.is_relative_to(out):
        raise OutDirError(f"{where} is your home folder or holds it: give a new folder inside it instead")
    if paths.REPO_ROOT.is_relative_to(out):
        raise OutDirError(f"{where} holds this checkout ({shown(paths.REPO_ROOT)}): give a new folder, such as "
                          f"{shown(paths.REPO_ROOT / 'whatif')}")
    for folder in PROJECT_FOLDERS:
        if out.is_relative_to(paths.REPO_ROOT / folder):
            raise OutDirError(f"{where} is inside the project's own {folder}/ folder: give a new folder outside "
                              f"it, such as {shown(paths.REPO_ROOT / 'whatif')}")
    for name, given in inputs.items():
        given = given.resolve()
        if given.is_relative_to(out):
            raise OutDirError(f"{where} holds {name} {shown(given)}: the report would replace it; give a folder "
                              "that holds none of the what-if's inputs")
        if name == "--data" and out.is_relative_to(given):
            raise OutDirError(f"{where} is inside {name} {shown(given)}: give a folder outside the dataset")
    parent = _existing_ancestor(out)
    if not parent.is_dir():
        raise OutDirError(f"{where} cannot be made: {shown(parent)} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(parent).f_flag & os.ST_RDONLY)
        why = "a read-only file system" if read_only else "permission denied"
        raise OutDirError(f"{where}: cannot write in {shown(parent)} ({why}); choose a folder you can write")
    if not out.exists():
        return
    marker = out / MARKER
    if not _first_entries(out) and not (marker.exists() or marker.is_symlink()):
        return  # an empty folder
    marked = _marked(out)
    if marked is None:
        held = _first_entries(out)
        what = (f"its {MARKER} is not one a what-if wrote" if marker.exists() or marker.is_symlink()
                else f"it has no {MARKER}")
        holds = f": it holds {_shown(held)}" if held else ""
        raise OutDirError(f"{where} is not empty and no what-if wrote it ({what}){holds}. Give a new or empty "
                          "folder; nothing was changed")
    found = contents(out)
    extra = sorted(set(found) - set(marked))
    if extra:
        raise OutDirError(f"{where} holds {len(extra)} path(s) the earlier what-if did not write: {_shown(extra)}. "
                          "Move them out or give another folder; nothing was changed")
    changed = sorted(path for path, digest in found.items() if marked[path] != digest)
    if changed:
        raise OutDirError(f"{where} holds {len(changed)} path(s) changed since the earlier what-if wrote them: "
                          f"{_shown(changed)}. Move them out or give another folder; nothing was changed")


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def make_stage(out: Path) -> Path:
    """A new, empty staging folder beside ``out`` (created with its missing parents), for the janitor to track.

    ``mkdtemp`` makes it private (0700); it becomes the report's folder, so it gets the mode any new folder gets.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".whatif-stage-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)
    return stage


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(a))


def swap_in(stage: Path, out: Path) -> None:
    """Put the complete report in ``stage`` at ``out``; the previous ``out`` ends up at ``stage``'s path, whose
    owner (the caller's janitor) deletes it. ``out`` is never missing in between where the exchange exists."""
    if not out.exists():
        os.rename(stage, out)
        return
    if not any(out.iterdir()):
        os.replace(stage, out)  # an empty folder is replaced in one rename
        return
    if _exchange(stage, out):
        return
    # Two renames: the old report goes to a new empty folder beside it (rename replaces an empty folder).
    old = Path(tempfile.mkdtemp(prefix=".whatif-old-", dir=out.parent))
    os.replace(out, old)
    os.replace(stage, out)
    shutil.rmtree(old, ignore_errors=True)
