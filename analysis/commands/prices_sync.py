"""``python -m analysis prices sync``: refresh ``api_prices.csv`` from the installed genai-prices package.

Reads only the snapshot bundled inside the package (``genai_prices.data``), never its network updater.
Prints the diff, checks the new dataset before writing, and writes by an atomic rename, so ``data/``
is either the old file or the new, valid one.

Exit status: 0 nothing changed (dates and sources may be refreshed), 3 prices changed (or would, with
``--dry-run``), 1 the dataset or the result is invalid; argparse gives 2 for a bad option.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.commands import janitor
from analysis.data import prices

CHANGED, UNCHANGED, INVALID = 3, 0, 1
FILE = "api_prices.csv"


def bundled_snapshot() -> tuple[list, str]:
    """The package's bundled providers and its version (imports no network code path)."""
    from genai_prices.data import providers

    return providers, importlib.metadata.version("genai-prices")


def diff_table(changes: pd.DataFrame) -> str:
    """The changes as aligned text: offer, field, old, new, change in %."""
    header = f"{'offer':<30}{'field':<24}{'old':>10}{'new':>10}{'change':>9}"
    lines = [header, "-" * len(header)]
    for c in changes.itertuples():
        old = "-" if c.old is None or pd.isna(c.old) else f"{c.old:g}"
        pct = "new" if c.change_pct is None or pd.isna(c.change_pct) else f"{c.change_pct:+.1f}%"
        lines.append(f"{c.offer_id:<30}{c.field:<24}{old:>10}{c.new:>10.6g}{pct:>9}")
    return "\n".join(lines)


def _validate_copy(data_dir: Path, table: pd.DataFrame) -> list[str]:
    """Problems of the dataset with the new table in place, checked in a temporary copy."""
    from analysis.data import loading

    with tempfile.TemporaryDirectory(prefix="prices-sync-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        table.to_csv(copy / FILE, index=False, lineterminator="\n")
        problems, _ = loading.validate(copy)
        return [str(p).replace(str(copy), str(data_dir)) for p in problems]


def valid_tables(data_dir: Path, doing: str, say: Callable[[str], None]) -> dict | None:
    """The dataset's tables, or None after saying every problem of an invalid one (before ``doing`` anything)."""
    from analysis.data import loading

    problems, tables = loading.validate(data_dir)
    if problems:
        say(f"error: {data_dir} is not a valid dataset; fix it before {doing}:")
        for problem in problems:
            say(f"  - {problem}")
        return None
    return tables


def sync(data_dir: Path, dry_run: bool = False, today: dt.date | None = None,
         snapshot: tuple[list, str] | None = None, say: Callable[[str], None] = print) -> int:
    """Sync ``data_dir/api_prices.csv`` from a genai-prices snapshot (default: the installed package's)."""
    from analysis.data import loading

    path = data_dir / FILE
    if valid_tables(data_dir, "syncing", say) is None:
        return INVALID
    original = pd.read_csv(path, dtype=str, keep_default_na=False)
    providers, version = snapshot or bundled_snapshot()
    result = prices.plan(original, providers, version, today or loading.today_utc())
    say(f"genai-prices {version}: {len(result.synced)} row(s) mapped, {len(result.changes)} price(s) changed, "
        f"{len(result.unmapped)} row(s) not mapped")
    if len(result.changes):
        say(diff_table(result.changes))
    for offer, why in result.unmapped:
        say(f"not mapped: {offer}: {why}")
    for offer, what in result.not_modelled:
        say(f"not modelled: {offer}: {what}")
    status = CHANGED if len(result.changes) else UNCHANGED
    if dry_run:
        say("dry run: nothing written")
        return status
    if result.table.equals(original):
        say(f"{path}: already up to date")
        return status
    problems = _validate_copy(data_dir, result.table)
    if problems:
        say(f"error: the synced {FILE} would be invalid; {path} is unchanged:")
        for p in problems:
            say(f"  - {p}")
        return INVALID
    # A name of this process's own beside the file (one file system, so the rename is atomic); the command's
    # janitor deletes it if the sync is killed before the rename.
    tmp = janitor.track(path.with_name(f".{FILE}.{os.getpid()}.tmp"))
    result.table.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)  # atomic on one file system: readers see the old file or the new one
    say(f"wrote {path}")
    return status
