"""A what-if writes only into a folder it owns: every refusal, the user's files around it, and the swap.

Issue 23 found ``whatif --data X/mydata --out X`` deleting ``mydata/`` and a notes file beside it, ``--out analysis``
deleting the package, and ``--out FILE`` renaming the file. Each case here runs the command in this process; the
refusals come before any work (no dataset is validated, no notebook runs), so the module is fast.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.commands import outdir
from analysis.commands.cli import main


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def whatif(capsys, *args: str) -> tuple[int, str]:
    code = main(["whatif", *args])
    return code, capsys.readouterr().err


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The issue's scratch folder: a copy of the dataset and a note of the user's, side by side."""
    shutil.copytree(paths.DATA_DIR, tmp_path / "mydata")
    (tmp_path / "notes.txt").write_text("keep\n", encoding="utf-8")
    return tmp_path


def test_a_folder_holding_the_data_is_refused_and_nothing_in_it_changes(capsys, scratch):
    before = snapshot(scratch)
    code, err = whatif(capsys, "--data", str(scratch / "mydata"), "--out", str(scratch))
    assert code == 2
    assert err == (f"error: --out {scratch} holds --data {scratch / 'mydata'}: the report would replace it; give a "
                   "folder that holds none of the what-if's inputs\n")
    assert snapshot(scratch) == before  # mydata/ and notes.txt survive, byte for byte


def test_a_folder_holding_a_parameter_file_is_refused(capsys, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("draws: 100\n", encoding="utf-8")
    code, err = whatif(capsys, "-f", str(params), "--out", str(tmp_path))
    assert code == 2
    assert err == (f"error: --out {tmp_path} holds -f {params} {params}: the report would replace it; give a folder "
                   "that holds none of the what-if's inputs\n")
    assert params.read_text(encoding="utf-8") == "draws: 100\n"


@pytest.mark.parametrize("folder", ["analysis", "data", "notebooks", "book", "tests", "_static", "analysis/model",
                                    "_build", "_build/newthing", ".hypothesis/examples"])
def test_a_folder_of_the_project_is_refused(capsys, folder):
    before = snapshot(paths.REPO_ROOT / folder) if folder == "book" else None
    code, err = whatif(capsys, "--out", str(paths.REPO_ROOT / folder))
    assert code == 2
    top = folder.split("/")[0]
    assert err == (f"error: --out {paths.REPO_ROOT / folder} is inside the project's own {top}/ folder: give a new "
                   f"folder outside it, such as {paths.REPO_ROOT / 'whatif'}\n")
    if before is not None:
        assert snapshot(paths.REPO_ROOT / folder) == before


@pytest.mark.parametrize("where", ["checkout", "its parent", "root", "home"])
def test_the_checkout_root_and_home_are_refused(capsys, where):
    out = {"checkout": paths.REPO_ROOT, "its parent": paths.REPO_ROOT.parent, "root": Path("/"),
           "home": Path.home().resolve()}[where]
    code, err = whatif(capsys, "--out", str(out))
    assert code == 2
    if out == Path("/"):
        assert err == "error: --out / is the root folder: give a new folder, such as whatif-report\n"
    elif Path.home().resolve().is_relative_to(out):
        assert err == f"error: --out {out} is your home folder or holds it: give a new folder inside it instead\n"
    else:
        assert err == (f"error: --out {out} holds this checkout ({paths.REPO_ROOT}): give a new folder, such as "
                       f"{paths.REPO_ROOT / 'whatif'}\n")


def test_a_file_is_refused_and_keeps_its_name(capsys, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("mine\n", encoding="utf-8")
    for _ in range(2):  # the old code renamed it to .report.txt.old, and every later run failed
        code, err = whatif(capsys, "--out", str(target))
        assert code == 2
        assert err == (f"error: --out {target} is a file, not a folder: give a new folder, an empty one, or an earlier "
                       "what-if report's folder\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_a_link_is_refused(capsys, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    code, err = whatif(capsys, "--out", str(tmp_path / "link"))
    assert code == 2
    assert err == f"error: --out {tmp_path / 'link'} is a link: give the folder itself\n"


def test_a_folder_no_whatif_wrote_is_refused_naming_what_it_holds(capsys, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "todo.md").write_text("x", encoding="utf-8")
    before = snapshot(tmp_path)
    code, err = whatif(capsys, "--out", str(tmp_path))
    assert code == 2
    assert err == (f"error: --out {tmp_path} is not empty and no what-if wrote it (it has no {outdir.MARKER}): it "
                   "holds photos, todo.md. Give a new or empty folder; nothing was changed\n")
    assert snapshot(tmp_path) == before


def test_an_earlier_whatif_with_a_file_of_the_users_inside_is_refused(capsys, tmp_path):
    report = tmp_path / "report"
    (report / "notebooks").mkdir(parents=True)
    (report / "notebooks" / "09_scenario_1.ipynb").write_text("{}", encoding="utf-8")
    outdir.write_marker(report)
    outdir.check(report, {})  # its own files only: it may be replaced
    (report / "notebooks" / "my-notes.md").write_text("mine", encoding="utf-8")
    code, err = whatif(capsys, "--out", str(report))
    assert code == 2
    assert err == (f"error: --out {report} holds 1 path(s) the earlier what-if did not write: notebooks/my-notes.md. "
                   "Move them out or give another folder; nothing was changed\n")
    assert (report / "notebooks" / "my-notes.md").read_text(encoding="utf-8") == "mine"


def test_a_marker_of_another_writer_does_not_make_a_folder_replaceable(tmp_path):
    (tmp_path / "thesis.docx").write_text("precious", encoding="utf-8")
    (tmp_path / outdir.MARKER).write_text('{"written_by": "someone", "contents": {}}', encoding="utf-8")
    with pytest.raises(outdir.OutDirError) as refused:
        outdir.check(tmp_path, {})
    assert str(refused.value) == (f"--out {tmp_path} is not empty and no what-if wrote it (its {outdir.MARKER} is "
                                  "not one a what-if wrote): it holds thesis.docx. Give a new or empty folder; "
                                  "nothing was changed")


def test_a_forged_marker_cannot_cover_the_users_files(capsys, tmp_path):
    # A review forged a marker listing a thesis and photos by name: the what-if then deleted them. The marker now
    # records each file's sha256, so listing names is not enough.
    forged = tmp_path / "forged"
    (forged / "photos").mkdir(parents=True)
    (forged / "thesis.docx").write_text("precious", encoding="utf-8")
    (forged / "photos" / "1.jpg").write_text("x", encoding="utf-8")
    (forged / outdir.MARKER).write_text(
        '{"written_by": "python -m analysis whatif", "contents": {"thesis.docx": "0", "photos": "folder", '
        '"photos/1.jpg": "0"}}', encoding="utf-8")
    before = snapshot(forged)
    code, err = whatif(capsys, "--out", str(forged))
    assert code == 2
    assert err == (f"error: --out {forged} holds 2 path(s) changed since the earlier what-if wrote them: "
                   "photos/1.jpg, thesis.docx. Move them out or give another folder; nothing was changed\n")
    assert snapshot(forged) == before


def test_a_file_changed_in_an_earlier_whatif_is_refused(capsys, tmp_path):
    report = _report(tmp_path / "report", "old")
    (report / "index.html").write_text("my edit", encoding="utf-8")
    code, err = whatif(capsys, "--out", str(report))
    assert code == 2
    assert err == (f"error: --out {report} holds 1 path(s) changed since the earlier what-if wrote them: index.html. "
                   "Move them out or give another folder; nothing was changed\n")


def test_a_path_under_a_file_is_refused_before_any_work(capsys, tmp_path):
    (tmp_path / "xfile").write_text("mine", encoding="utf-8")
    code, err = whatif(capsys, "--out", str(tmp_path / "xfile" / "sub"))
    assert code == 2
    assert err == (f"error: --out {tmp_path / 'xfile' / 'sub'} cannot be made: {tmp_path / 'xfile'} is a file, not a "
                   "folder\n")


def test_a_name_with_a_newline_stays_on_one_line(capsys, tmp_path):
    odd = tmp_path / "two\nlines"
    odd.mkdir()
    (odd / "mine.txt").write_text("x", encoding="utf-8")
    code, err = whatif(capsys, "--out", str(odd))
    assert code == 2
    assert err.count("\n") == 1 and repr(str(odd)) in err


def test_the_staging_folder_gets_the_mode_of_any_new_folder(tmp_path):
    stage = outdir.make_stage(tmp_path / "report")
    umask = os.umask(0)
    os.umask(umask)
    assert stage.stat().st_mode & 0o777 == 0o777 & ~umask


def test_new_and_empty_folders_are_accepted(tmp_path):
    outdir.check(tmp_path / "new" / "deeper", {})
    (tmp_path / "empty").mkdir()
    outdir.check(tmp_path / "empty", {})


def test_a_name_over_the_file_systems_limit_is_refused(capsys, tmp_path):
    long = tmp_path / ("r" * 300)
    code, err = whatif(capsys, "--out", str(long))
    assert code == 2
    assert err == (f"error: --out {str(long)[:80]}...: the name {'r' * 40!r}... is 300 bytes long, over the file "
                   "system's limit of 255\n")
    code, err = whatif(capsys, "--data", str(long), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith("error: --data ") and "is 300 bytes long" in err


def test_a_folder_that_cannot_be_written_is_refused_before_any_work(capsys, tmp_path, monkeypatch):
    # (Tests run as root, for whom permission bits do not apply: the refusal is driven through os.access.)
    real_access = os.access
    monkeypatch.setattr(outdir.os, "access", lambda path, mode: False if Path(path) == tmp_path else
                        real_access(path, mode))
    code, err = whatif(capsys, "--out", str(tmp_path / "report"))
    assert code == 2
    assert err == (f"error: --out {tmp_path / 'report'}: cannot write in {tmp_path} (permission denied); choose a "
                   "folder you can write\n")


def test_a_file_system_error_on_the_way_is_one_line_not_a_traceback(capsys, tmp_path, monkeypatch):
    def read_only(out: Path) -> Path:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(out.parent))

    monkeypatch.setattr(outdir, "make_stage", read_only)
    monkeypatch.setattr("analysis.commands.gate.check",
                        lambda data_dir, per_notebook=None, origins=None: ([], [], None))
    code, err = whatif(capsys, "--out", str(tmp_path / "report"))
    assert code == 2
    assert err == f"error: --out {tmp_path / 'report'}: cannot create a folder beside it: Read-only file system\n"


# ---------------------------------------------------------------- the swap


def _report(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    outdir.write_marker(folder)
    return folder


@pytest.mark.parametrize("exchange", [True, False], ids=["one exchange", "two renames"])
def test_the_swap_puts_the_new_report_in_place_and_leaves_nothing_beside_it(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    out = _report(tmp_path / "report", "old")
    (tmp_path / "neighbour.txt").write_text("mine", encoding="utf-8")
    stage = outdir.make_stage(out)
    (stage / "index.html").write_text("new", encoding="utf-8")
    outdir.write_marker(stage)
    outdir.swap_in(stage, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    if exchange:
        # The old report is at the stage's path, for the caller's janitor to delete.
        assert (stage / "index.html").read_text(encoding="utf-8") == "old"
        shutil.rmtree(stage)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour.txt", "report"]


@pytest.mark.parametrize("state", ["absent", "empty"])
def test_the_swap_into_a_new_or_empty_folder(tmp_path, state):
    out = tmp_path / "report"
    if state == "empty":
        out.mkdir()
    stage = outdir.make_stage(out)
    (stage / "index.html").write_text("new", encoding="utf-8")
    outdir.swap_in(stage, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
