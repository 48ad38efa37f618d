"""Command line: ``python -m analysis {validate,run,whatif,quote,calibrate,vendor-js,prune-site,data-dictionary}``.

Each command prints what it did and exits non-zero when it fails, so ``make`` stops there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths

if TYPE_CHECKING:  # loading imports pandas: commands that do not read data stay fast without it
    from analysis.data import loading


def _print_problems(problems: list[loading.Problem], heading: str) -> None:
    print(heading, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def _print_refused(problems: list[loading.Problem], refused: list[str], data_dir: Path, what: str) -> None:
    """The gate's findings: the dataset's problems, then the parameters it cannot price."""
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        _print_problems(problems, f"{data_dir}: {len(problems)} {noun} found; {what}")
    if refused:
        print(f"{data_dir}: the report's notebooks name what the dataset cannot price; {what}", file=sys.stderr)
        for line in refused:
            print(f"  - {line}", file=sys.stderr)


def _print_ignored(data_dir: Path) -> None:
    from analysis.data import loading

    ignored = loading.ignored_entries(data_dir)
    if ignored:
        print(f"{data_dir}: ignored, not part of the dataset: {', '.join(ignored)}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a dataset folder for the report (the gate of ``make report``); list every problem; warn about
    stale prices."""
    from analysis.commands import gate
    from analysis.data import loading

    try:
        data_dir = _given_path(args.data_dir, "validate") if args.data_dir else paths.DATA_DIR
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_ignored(data_dir)
    problems, refused, ds = gate.check(data_dir)
    if problems or refused:
        _print_refused(problems, refused, data_dir, "nothing was built")
        return 1
    loaded = loading.load(data_dir, max_age_days=args.max_age_days)
    rows = sum(len(t) for t in ds.tables.values())
    print(f"{data_dir}: valid ({len(ds.tables)} files, {rows} rows, newest row retrieved {ds.snapshot_date})")
    if loaded.stale:
        _print_problems(loaded.stale, f"warning: {len(loaded.stale)} price row(s) older than the limit")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Validate the dataset, then execute the notebooks that need it (all written, or none)."""
    from analysis.commands import gate, janitor, runner

    # The committed notebooks are the canonical report: always the repository's data/ and the
    # notebooks' default parameters (what-if reports go elsewhere).
    data_dir = paths.DATA_DIR
    _print_ignored(data_dir)
    problems, refused, _ = gate.check(data_dir)
    if problems or refused:
        _print_refused(problems, refused, data_dir, "no notebook was run")
        return 1
    sources = runner.notebooks(args.notebooks)
    start = time.perf_counter()
    with janitor.Janitor("run"):
        outcomes = runner.run(runner.plan(sources, None, {}, data_dir), force=args.force,
                              max_workers=args.jobs, fresh_kernels=args.fresh_kernels)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("executed", "skipped", "failed", "not written")}
    if counts["failed"]:
        print(f"{counts['failed']} failed, {counts['not written']} executed but not written, {counts['skipped']} "
              f"skipped in {time.perf_counter() - start:.1f} s: every notebook is as it was", file=sys.stderr)
        return 1
    print(f"{counts['executed']} executed, {counts['skipped']} skipped, 0 failed "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


def _whatif_overrides(args: argparse.Namespace) -> dict[str, tuple[object, str]]:
    """Overrides from ``-f`` first, then ``-p`` (the command line wins), each with where it came from."""
    from analysis.commands import whatif

    given: dict[str, tuple[object, str]] = {}
    for path in args.param_file or []:
        for name, value in whatif.read_parameter_file(Path(path)).items():
            given[name] = (value, f"{path}: {name}")
    for name, value in args.param or []:
        given[name] = (value, f"-p {name} {value}")
    return given


def _given_path(text: str, option: str, utf8: bool = False) -> Path:
    """An absolute path for an option, or :class:`analysis.commands.outdir.OutDirError` saying why there is none.

    ``utf8``: the name must be valid UTF-8 (a what-if's pages name its dataset and folder, and the book's
    builder cannot write a name that is not).
    """
    from analysis.commands import outdir

    path = Path(text).expanduser().absolute()
    shown = outdir.shown(text[:80] + ("..." if len(text) > 80 else ""))
    problem = paths.too_long(path)
    if problem:
        raise outdir.OutDirError(f"{option} {shown}: {problem}")
    if utf8:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            raise outdir.OutDirError(f"{option} {shown}: the name is not valid UTF-8; rename the folder (the "
                                     "report's pages name it)") from None
    try:
        return path.resolve()
    except OSError as exc:
        raise outdir.OutDirError(f"{option} {shown}: {exc.strerror}") from None


def cmd_whatif(args: argparse.Namespace) -> int:
    """Build a complete report from another dataset and/or parameter overrides into ``--out``.

    Everything that can be refused is refused before any work: the output folder (:mod:`analysis.commands.outdir`),
    the parameters (names, types, ranges and the dataset's names), then the dataset. The report is built in
    a staging folder beside ``--out`` and swapped in only when complete.
    """
    from analysis.commands import gate, outdir, runner, whatif

    start = time.perf_counter()
    try:
        data_dir = _given_path(args.data, "--data", utf8=True) if args.data else paths.DATA_DIR
        out = _given_path(args.out, "--out", utf8=True)
        if Path(args.out).expanduser().absolute().is_symlink():
            raise outdir.OutDirError(f"--out {outdir.shown(args.out)} is a link: give the folder itself")
        param_files = {f"-f {p}": _given_path(p, "-f") for p in args.param_file or []}
        outdir.check(out, {"--data": data_dir, **param_files})
        sources = runner.notebooks(None)
        refused: list[str] = []
        given = _whatif_overrides(args)
        per_notebook = whatif.resolve_overrides(sources, given, collect=refused)
    except (outdir.OutDirError, whatif.WhatIfError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_ignored(data_dir)
    # Where each override came from, for the messages: "-p gpu" or "params.yaml: gpu".
    labels = {name: f"-p {name}" if origin.startswith("-p ") else origin for name, (_, origin) in given.items()}
    problems, not_priced, _ = gate.check(data_dir, per_notebook, labels)
    for line in refused:
        print(f"error: {line}", file=sys.stderr)
    if problems or not_priced:
        _print_refused(problems, not_priced, data_dir, "no notebook was run")
    if problems:
        return 1
    if refused or not_priced:
        return 2
    overrides = {name: value for chosen in per_notebook.values() for name, value in chosen.items()}
    banner = whatif.banner_text(data_dir, overrides)
    missing = [folder for folder in out.parents if not folder.exists()]  # made for --out; gone again on failure
    try:
        code = _build_whatif(args, out, data_dir, param_files, sources, per_notebook, banner)
    finally:
        if not out.exists():
            for folder in missing:  # deepest first; each only if empty, and only one this command made
                try:
                    folder.rmdir()
                except OSError:
                    break
    if code == 0:
        print(f"what-if report: {outdir.shown(out / '_build' / 'html' / 'index.html')} ({len(sources)} notebooks, "
              f"{time.perf_counter() - start:.1f} s)")
    return code


def _build_whatif(args: argparse.Namespace, out: Path, data_dir: Path, param_files: dict[str, Path],
                  sources: list[Path], per_notebook: dict[Path, dict[str, object]], banner: str) -> int:
    """The what-if's build, in a staging folder beside ``out`` that its janitor removes however it ends."""
    from analysis.commands import janitor, outdir, runner, whatif

    with janitor.Janitor("whatif") as cleanup:
        try:
            stage = cleanup.track(outdir.make_stage(out))
        except OSError as exc:
            print(f"error: --out {outdir.shown(out)}: cannot create a folder beside it: {exc.strerror}",
                  file=sys.stderr)
            return 2
        whatif.prepare_sources(stage, banner, data_dir)
        # The injected parameters are hidden as each notebook is written: the banner says them in words.
        jobs = [runner.Job(src, stage / "notebooks" / src.name, {**per_notebook[src], "data_dir": str(data_dir)},
                           data_dir, hide_parameters=True) for src in sources]
        outcomes = runner.run(jobs, force=True, max_workers=args.jobs, fresh_kernels=args.fresh_kernels)
        if any(o.status == "failed" for o in outcomes):
            print(f"what-if report not built; {outdir.shown(out)} is unchanged", file=sys.stderr)
            return 1
        print("building the book ...")
        built = whatif.build_book(stage)
        if built.returncode != 0:
            print(built.stdout[-4000:], built.stderr[-4000:], sep="\n", file=sys.stderr)
            print(f"the book build failed; {outdir.shown(out)} is unchanged", file=sys.stderr)
            return 1
        outdir.write_marker(stage)
        try:
            outdir.check(out, {"--data": data_dir, **param_files})  # again: a file may have arrived meanwhile
            outdir.swap_in(stage, out)
        except (outdir.OutDirError, OSError) as exc:
            print(f"error: {exc}; {outdir.shown(out)} is unchanged", file=sys.stderr)
            return 1
    return 0


def _data_option(parser: argparse.ArgumentParser) -> None:
    """``--data DIR``: the dataset folder a prices command reads (default: data/)."""
    parser.add_argument("--data", dest="data_dir", default=None, metavar="DIR", help="dataset folder (default: data/)")


def cmd_prices_check(args: argparse.Namespace) -> int:
    """Every API row beside LiteLLM's and genai-prices' tables (see analysis.commands.prices_check)."""
    from analysis.commands import prices_check

    data_dir = paths.resolve_data_dir(args.data_dir)
    return prices_check.check(data_dir, args.format, warn=lambda line: print(line, file=sys.stderr))


def cmd_litellm_extract(args: argparse.Namespace) -> int:
    """Rewrite the LiteLLM extract from a wheel."""
    from analysis.commands import janitor, prices_check

    try:
        released = dt.date.fromisoformat(args.released_on)
    except ValueError:
        print(f"error: --released-on {args.released_on!r} is not a date YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        with janitor.Janitor("litellm-extract"):
            return prices_check.write_extract(paths.resolve_data_dir(args.data_dir), Path(args.wheel),
                                              released.isoformat(), warn=lambda line: print(line, file=sys.stderr))
    except (prices_check.ExtractError, zipfile.BadZipFile) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_prices_sync(args: argparse.Namespace) -> int:
    """Refresh api_prices.csv from the installed genai-prices package (see analysis.commands.prices_sync)."""
    from analysis.commands import janitor, prices_sync

    today = None
    if args.date:
        try:
            today = dt.date.fromisoformat(args.date)
        except ValueError:
            print(f"error: --date {args.date!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
    with janitor.Janitor("prices-sync"):
        return prices_sync.sync(paths.resolve_data_dir(args.data_dir), dry_run=args.dry_run, today=today)


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
    from analysis.commands import vendor

    path = vendor.write_bundle()
    print(f"wrote {path.relative_to(paths.REPO_ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Print every benchmark beside the rate the model deploys its system at: measured, the roofline bound, the
    deployed rate, the efficiency it calibrates, and the model's rate over the measured one (its own efficiency:
    backtest; its class's median: predicted)."""
    import json

    from analysis.data import loading
    from analysis.evaluation import lookups

    data_dir = paths.resolve_data_dir(args.data)
    problems, _ = loading.validate(data_dir)
    if problems:
        _print_problems(problems, f"{data_dir}: {len(problems)} problem(s) found; nothing was calibrated")
        return 1
    cal = lookups.calibration(loading.load(data_dir))
    columns = ["benchmark_id", "efficiency_class", "gpu_id", "gpu_count", "model_id", "precision", "engine",
               "input_tokens", "output_tokens", "measured_output_tokens_per_s", "bound_output_tokens_per_s",
               "deployed_output_tokens_per_s", "efficiency", "backtest_ratio", "predicted_ratio"]
    if args.format == "json":
        records = [{c: (v.item() if hasattr(v, "item") else v) for c, v in row.items()}
                   for row in cal[columns].to_dict(orient="records")]
        print(json.dumps({"benchmarks": records}, indent=2))
        return 0
    width = max(len(b) for b in cal["benchmark_id"])
    print(f"{'benchmark':<{width}}  {'class':<13}  {'measured':>9}  {'bound':>9}  {'deployed':>9}  efficiency  "
          "backtest  predicted")
    for row in cal.itertuples():
        print(f"{row.benchmark_id:<{width}}  {row.efficiency_class:<13}  {row.measured_output_tokens_per_s:>9,.0f}  "
              f"{row.bound_output_tokens_per_s:>9,.0f}  {row.deployed_output_tokens_per_s:>9,.0f}  "
              f"{row.efficiency:>10.3f}  {row.backtest_ratio:>8.3f}  {row.predicted_ratio:>9.3f}")
    return 0


def cmd_data_dictionary(args: argparse.Namespace) -> int:
    """Print, check or rewrite the generated column dictionary in data/README.md."""
    from analysis.data import datadoc

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


def _golden(args: argparse.Namespace) -> int:
    from analysis.commands import golden

    return golden.main(args)


def _quote(args: argparse.Namespace) -> int:
    from analysis.commands import quote  # pandas and the model: only when a quote is asked for

    return quote.run(args)


def main(argv: list[str] | None = None) -> int:
    from analysis.commands import quote_options

    parser = quote_options.Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    val = sub.add_parser("validate", help="check a dataset folder against data/datapackage.json")
    val.add_argument("data_dir", nargs="?", default=None, help="dataset folder (default: data/)")
    val.add_argument("--max-age-days", type=quote_options.whole_number_type("max_price_age_days"), default=None,
                     help="warn about price rows older than this many days (default: from datapackage.json)")
    val.set_defaults(func=cmd_validate)
    run = sub.add_parser("run", help="execute the report notebooks in place with papermill")
    run.add_argument("notebooks", nargs="*", help="notebook names (default: all in notebooks/)")
    run.add_argument("--force", action="store_true", help="re-execute even when inputs are unchanged")
    run.add_argument("--jobs", type=quote_options.whole_number_type("jobs"), default=None,
                     help="notebooks at once (default: one more than the cores)")
    run.add_argument("--fresh-kernels", action="store_true",
                     help="start a kernel for every notebook instead of reusing one warm kernel per worker, "
                          "and compute every chapter without the chapter cache (the previous approach; slower; "
                          "for debugging)")
    run.set_defaults(func=cmd_run)
    what = sub.add_parser(
        "whatif", help="build a complete report from another dataset and/or parameter overrides",
        description="Build the whole report (executed notebooks and HTML) into --out from another dataset and/or "
                    "parameter overrides, leaving the committed notebooks untouched. The dataset is validated "
                    "first: an invalid one stops the build before any notebook runs. A parameter applies to "
                    "every notebook that declares it; `papermill --help-notebook notebooks/NAME.ipynb` lists a "
                    "notebook's parameters with their types and units.")
    what.add_argument("--data", default=None, metavar="DIR", help="dataset folder (default: data/)")
    what.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                      help="set a notebook parameter, e.g. -p model qwen3-235b-a22b (repeatable)")
    what.add_argument("-f", "--param-file", action="append", metavar="PARAMS.yaml",
                      help="YAML mapping of parameter names to values (repeatable; -p wins)")
    what.add_argument("--out", required=True, metavar="OUT",
                      help="folder for the report: OUT/notebooks/*.ipynb and OUT/_build/html/index.html; "
                           "replaced only when the build succeeds")
    what.add_argument("--jobs", type=quote_options.whole_number_type("jobs"), default=None,
                      help="notebooks at once (default: one more than the cores)")
    what.add_argument("--fresh-kernels", action="store_true",
                      help="start a kernel for every notebook instead of one warm kernel per worker, without the "
                           "chapter cache (the previous approach; slower)")
    what.set_defaults(func=cmd_whatif)
    vendor = sub.add_parser("vendor-js", help="write _static/vega/vega-bundle.js from vl-convert")
    vendor.set_defaults(func=cmd_vendor_js)
    prune = sub.add_parser("prune-site", help="delete built pages that are no longer in _toc.yml")
    prune.set_defaults(func=cmd_prune_site)
    cal = sub.add_parser("calibrate", help="each benchmark beside the rate the model deploys its system at")
    cal.add_argument("--data", default=None, metavar="DIR", help="dataset folder (default: data/)")
    cal.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    cal.set_defaults(func=cmd_calibrate)
    price = sub.add_parser("prices", help="API prices from a maintained package")
    price_sub = price.add_subparsers(dest="prices_command", required=True)
    sync = price_sub.add_parser(
        "sync", help="refresh api_prices.csv from the installed genai-prices package",
        description="Take each mapped row's input, output and cached-input prices from the snapshot bundled in the "
                    "installed genai-prices package (never its network updater), print the diff, check the result "
                    "and write it atomically. Exit 0: no price changed; 3: prices changed; 1: invalid dataset or "
                    "result; 2: bad option.")
    _data_option(sync)
    sync.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    sync.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                      help="the date prices are read as of (default: today, UTC)")
    sync.set_defaults(func=cmd_prices_sync)
    pcheck = price_sub.add_parser(
        "check", help="compare every API row with LiteLLM's and genai-prices' tables",
        description="Compare each row of api_prices.csv with the dated LiteLLM extract in data/sources/litellm/ and "
                    "with the installed genai-prices package (both offline). Exit 0: every difference has a reason; "
                    "3: a difference without one, or an offer a source retired that the row still sells; "
                    "1: invalid dataset or extract; 2: bad option.")
    _data_option(pcheck)
    pcheck.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    pcheck.set_defaults(func=cmd_prices_check)
    extract = price_sub.add_parser(
        "litellm-extract", help="rewrite data/sources/litellm/model_prices.json from a LiteLLM wheel",
        description="Read the price table bundled in a LiteLLM wheel (get one with `pip download litellm==X "
                    "--no-deps`) and keep the entries the rows name and every entry of the report's open models.")
    extract.add_argument("wheel", metavar="WHEEL", help="path of the litellm-<version>-...whl file")
    extract.add_argument("--released-on", required=True, metavar="YYYY-MM-DD",
                         help="the version's upload date on PyPI (the date the table confirms its prices)")
    _data_option(extract)
    extract.set_defaults(func=cmd_litellm_extract)
    ddoc = sub.add_parser("data-dictionary", help="the column dictionary of data/README.md, from datapackage.json")
    mode = ddoc.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the generated section of data/README.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if data/README.md is out of date")
    ddoc.set_defaults(func=cmd_data_dictionary)
    gold = sub.add_parser("golden", help="quote's answers for 500+ seeded situations, for the calculator's Node test",
                          description="Write tests/golden/calculator-quotes.json when the dataset or the code changed "
                                      "since it was written (the calculator's JavaScript model is checked against it).")
    gold_mode = gold.add_mutually_exclusive_group()
    gold_mode.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    gold_mode.add_argument("--force", action="store_true", help="write it even when it is up to date")
    gold.set_defaults(func=_golden)
    quote_options.add_parser(sub, _quote)
    args = parser.parse_args(quote_options.join_option_values(sys.argv[1:] if argv is None else list(argv)))
    try:
        return args.func(args)
    except OSError as exc:
        # A file the command could not read or write (permissions, a full disk, a name too long): one line, and
        # every command leaves what it had not finished as it was.
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing was changed that had not been finished", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
