"""Run every mutant of ``tests/mutation/mutants.py`` against the fast test set and print the score.

    .venv/bin/python tests/mutation/run.py [--jobs 2] [--only TEXT]

The checkout's tracked files are copied once into a temporary folder (the checkout itself is never edited, so a
killed run leaves it as it was); each mutant is applied there, the fast set runs (``pytest -m "not slow" -x``,
without the two digest tests, which fail on any edited byte and so say nothing about a mutant), and the file is
put back. Python writes no bytecode in the copy, so a mutant made within the same second as the last is never
hidden by a stale cache. Interrupted (Ctrl-C, or SIGTERM), it stops the test run's whole process group and
removes the copy. Exit status 0 when the score is at least ``--target`` (0.9), 1 below it, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import MUTANTS  # noqa: E402  (the list beside this file)

# Tests that fail on any changed byte of analysis/ (a digest of the code), whatever the change means.
DIGEST_TESTS = ("tests/report/test_notebooks.py::test_committed_outputs_are_from_the_current_inputs",
                "tests/report/test_calculator_model.py::test_the_golden_file_is_current",
                # ... and the test that every mutant's line is in the source, which any mutant fails
                "tests/mutation/test_mutants.py")


def copy_checkout(target: Path) -> None:
    """Every tracked file of the checkout (and the untracked site the browser tests would need: none, they are slow)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())


def check(copy: Path) -> list[str]:
    """Each mutant's ``before`` must occur exactly once in its file."""
    problems = []
    for path, before, _, what in MUTANTS:
        count = (copy / path).read_text(encoding="utf-8").count(before)
        if count != 1:
            problems.append(f"{what}: found {count} times in {path}")
    return problems


# Run first: the tests of the stages most mutants touch. A mutant they catch needs no second run; one they miss is
# scored on the whole fast set, so the order changes the time, never the score.
FIRST = ("tests/model", "tests/evaluation", "tests/commands/test_quote.py", "tests/data/test_loading.py")


def run_tests(copy: Path, jobs: int, paths: tuple[str, ...] = ("tests",)) -> bool:
    """Whether the fast set (or its tests under ``paths``) passes in the copy."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider",
               "-n", str(jobs), *(f"--deselect={test}" for test in DIGEST_TESTS), *paths]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # Its own session, so that an interruption stops pytest and its xdist workers together.
    run = subprocess.Popen(command, cwd=copy, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        return run.wait() == 0
    except BaseException:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        raise


def caught(copy: Path, jobs: int) -> bool:
    """Whether the fast set fails: the stages' own tests first, then all of it."""
    return not run_tests(copy, jobs, FIRST) or not run_tests(copy, jobs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers per run")
    parser.add_argument("--only", default="", help="run only the mutants whose description contains this text")
    parser.add_argument("--target", type=float, default=0.9, help="the score to reach")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"argument --jobs: {args.jobs} is out of range: workers must be 1 or more")
    chosen = [m for m in MUTANTS if args.only in m[3]]
    if not chosen:
        parser.error(f"argument --only: no mutant's description contains {args.only!r}")

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # unwinds through the test run and the temporary folder, which clean up

    signal.signal(signal.SIGTERM, stop)
    try:
        return _score(chosen, args)
    except KeyboardInterrupt:
        print("interrupted: the copy is removed, no test run is left", file=sys.stderr)
        return 130


def _score(chosen: list[tuple[str, str, str, str]], args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        copy = Path(tmp)
        copy_checkout(copy)
        (copy / ".venv").symlink_to(ROOT / ".venv")
        problems = check(copy)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 2
        if not run_tests(copy, args.jobs):
            print("the fast set fails without any mutant: nothing to score", file=sys.stderr)
            return 2
        survivors = []
        started = time.perf_counter()
        for i, (path, before, after, what) in enumerate(chosen, 1):
            target = copy / path
            original = target.read_text(encoding="utf-8")
            target.write_text(original.replace(before, after), encoding="utf-8")
            try:
                killed = caught(copy, args.jobs)
            finally:
                target.write_text(original, encoding="utf-8")
            print(f"{i:3d}/{len(chosen)} {'caught  ' if killed else 'SURVIVED'} {path}: {what}", flush=True)
            if not killed:
                survivors.append(f"{path}: {what}")
    score = (len(chosen) - len(survivors)) / len(chosen)
    print(f"\nmutation score: {len(chosen) - len(survivors)} of {len(chosen)} caught ({score:.0%}) "
          f"in {time.perf_counter() - started:.0f} s")
    for survivor in survivors:
        print(f"  survived: {survivor}")
    return 0 if score >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
