"""Command line: ``python -m analysis {validate,run,vendor-js}``.

Each command prints what it did and exits non-zero when it fails, so ``make`` stops there.
"""

from __future__ import annotations

import argparse
import sys
import time

from analysis import loading, paths


def _print_problems(problems: list[loading.Problem], heading: str) -> None:
    print(heading, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a dataset folder; list every problem; warn about stale prices."""
    data_dir = paths.resolve_data_dir(args.data_dir)
    problems, tables = loading.validate(data_dir)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        _print_problems(problems, f"{data_dir}: {len(problems)} {noun} found; nothing was built")
        return 1
    ds = loading.load(data_dir, max_age_days=args.max_age_days)
    rows = sum(len(t) for t in tables.values())
    print(f"{data_dir}: valid ({len(tables)} files, {rows} rows, newest row retrieved {ds.snapshot_date})")
    if ds.stale:
        _print_problems(ds.stale, f"warning: {len(ds.stale)} price row(s) older than the limit")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Validate the dataset, then execute the notebooks that need it."""
    from analysis import runner

    # The committed notebooks are the canonical report: always the repository's data/ and the
    # notebooks' default parameters (what-if reports go elsewhere).
    data_dir = paths.DATA_DIR
    problems, _ = loading.validate(data_dir)
    if problems:
        _print_problems(problems, f"{data_dir}: {len(problems)} problem(s) found; no notebook was run")
        return 1
    sources = runner.notebooks(args.notebooks)
    start = time.perf_counter()
    outcomes = runner.run(runner.plan(sources, None, {}, data_dir), force=args.force,
                          max_workers=args.jobs)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("executed", "skipped", "failed")}
    print(f"{counts['executed']} executed, {counts['skipped']} skipped, {counts['failed']} failed "
          f"in {time.perf_counter() - start:.1f} s")
    return 1 if counts["failed"] else 0


def cmd_prune_site(_: argparse.Namespace) -> int:
    """Delete built pages whose source is no longer in _toc.yml (a renamed or removed chapter)."""
    import yaml

    toc = yaml.safe_load((paths.REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = {toc["root"]} | {ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])}
    removed = 0
    for folder in ("book", "notebooks"):
        for page in sorted((paths.HTML_DIR / folder).glob("*.html")):
            if f"{folder}/{page.stem}" not in files:
                page.unlink()
                removed += 1
    print(f"pruned {removed} stale page(s) from {paths.HTML_DIR.relative_to(paths.REPO_ROOT)}")
    return 0


def cmd_vendor_js(_: argparse.Namespace) -> int:
    """Write the Vega bundle the book loads (offline)."""
    from analysis import vendor

    path = vendor.write_bundle()
    print(f"wrote {path.relative_to(paths.REPO_ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")
    return 0


def cmd_data_dictionary(args: argparse.Namespace) -> int:
    """Print, check or rewrite the generated column dictionary in data/README.md."""
    from analysis import datadoc

    path = datadoc.readme_path()
    current = path.read_text(encoding="utf-8")
    wanted = datadoc.render_readme(current)
    if args.write:
        path.write_text(wanted, encoding="utf-8")
        print(f"wrote the column dictionary into {path.relative_to(paths.REPO_ROOT)}")
        return 0
    if args.check:
        if current != wanted:
            print(f"{path.relative_to(paths.REPO_ROOT)} is out of date: run "
                  "`python -m analysis data-dictionary --write`", file=sys.stderr)
            return 1
        return 0
    print(datadoc.column_dictionary(), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    val = sub.add_parser("validate", help="check a dataset folder against data/datapackage.json")
    val.add_argument("data_dir", nargs="?", default=None, help="dataset folder (default: data/)")
    val.add_argument("--max-age-days", type=int, default=None,
                     help="warn about price rows older than this many days (default: from datapackage.json)")
    val.set_defaults(func=cmd_validate)
    run = sub.add_parser("run", help="execute the report notebooks in place with papermill")
    run.add_argument("notebooks", nargs="*", help="notebook names (default: all in notebooks/)")
    run.add_argument("--force", action="store_true", help="re-execute even when inputs are unchanged")
    run.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: one per core)")
    run.set_defaults(func=cmd_run)
    vendor = sub.add_parser("vendor-js", help="write _static/vega/vega-bundle.js from vl-convert")
    vendor.set_defaults(func=cmd_vendor_js)
    prune = sub.add_parser("prune-site", help="delete built pages that are no longer in _toc.yml")
    prune.set_defaults(func=cmd_prune_site)
    ddoc = sub.add_parser("data-dictionary", help="the column dictionary of data/README.md, from datapackage.json")
    mode = ddoc.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the generated section of data/README.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if data/README.md is out of date")
    ddoc.set_defaults(func=cmd_data_dictionary)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
