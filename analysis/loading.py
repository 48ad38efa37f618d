"""Read and validate the CSV price dataset: the only place in the project that reads ``data/``.

The rules live in one machine-readable descriptor, ``data/datapackage.json`` (a Frictionless Data
Package: field types, constraints, primary and foreign keys). Validation runs in three passes and
collects every problem before reporting:

1. file checks the CSV dialect cannot express (missing or empty file, byte-order mark, encoding,
   delimiter, header names);
2. the Frictionless validator over the files whose header is sound (types, required cells, ranges,
   enums, primary keys, references between files);
3. rules across columns (``_low <= _high``, dates not in the future, conditional requirements).

Only when no problem is found are the files read into pandas, with dtypes taken from the descriptor.

Pass 2 dominates the run time (about a second), so its clean results are remembered: an empty marker
file named by the sha256 of everything the pass depends on (the resources' descriptors, the bytes of
their files, this module's source and the installed Frictionless release) is written to
``.cache/validation/``. A later run over identical inputs skips Frictionless; any change to a byte of
those inputs changes the digest and validates again. Only clean results are stored, so a dataset with
problems is always re-checked in full. Deleting the folder is always safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.util
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import paths

# Where clean Frictionless results are remembered (see the module docstring); ``None`` disables the cache.
VALIDATION_CACHE_DIR: Path | None = paths.REPO_ROOT / ".cache" / "validation"
# Markers kept: each edit of a dataset leaves one, so the oldest beyond this many are deleted.
VALIDATION_CACHE_MAX_ENTRIES = 256

_TYPE_NAMES = {"number": "a number", "integer": "a whole number", "date": "a date (YYYY-MM-DD)",
               "boolean": "true or false", "string": "text"}


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding, located as precisely as the check allows."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None:
            return f"{where}: value '{self.value}' {self.rule}"
        return f"{where}: {self.rule}"


class DataValidationError(ValueError):
    """Raised when a dataset folder breaks its schema; carries every problem found."""

    def __init__(self, data_dir: Path, problems: list[Problem]):
        self.data_dir = data_dir
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid dataset {data_dir}: {len(problems)} {noun}\n{lines}")


@dataclass(frozen=True)
class Dataset:
    """Every table of a validated dataset, as DataFrames keyed by resource name."""

    data_dir: Path
    tables: dict[str, pd.DataFrame]
    snapshot_date: dt.date
    stale: list[Problem] = field(default_factory=list)
    # What a function derived from the tables, kept for the next call (see ``derived``). Not part of the
    # dataset's identity, and not carried over by ``dataclasses.replace``: new tables start an empty memo.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def derived(self, key: str, compute):
        """``compute(self)``, computed once per dataset and kept under ``key``: the tables are never changed
        once loaded (a changed table makes a new Dataset). The caller must not change what it gets."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        return self.memo[key]


def descriptor() -> dict:
    """The canonical Data Package descriptor shipped with the project.

    Any dataset folder is checked against this one, so a modified dataset cannot loosen the rules.
    """
    return json.loads(paths.SCHEMA_FILE.read_text(encoding="utf-8"))


def _display_name(data_dir: Path, file_name: str) -> str:
    """``data/gpus.csv`` for the canonical dataset, else the path as given."""
    path = data_dir / file_name
    try:
        return str(path.relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)


def _file_problems(data_dir: Path, resource: dict) -> list[Problem]:
    """Checks made before parsing: presence, encoding, BOM, delimiter and header names."""
    name = _display_name(data_dir, resource["path"])
    path = data_dir / resource["path"]
    if not path.is_file():
        return [Problem(name, None, None, None, "file is missing (listed in datapackage.json)")]
    raw = path.read_bytes()
    if not raw.strip():
        return [Problem(name, None, None, None, "file is empty: expected a header row and data rows")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return [Problem(name, 1, None, None,
                        "file starts with a UTF-8 byte-order mark (BOM): save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(name, line, None, None, f"is not valid UTF-8 (byte {exc.start}): save it as UTF-8")]
    blank = [i for i, line in enumerate(text.splitlines(), start=1) if not line.strip(" ,\t")]
    if blank:
        return [Problem(name, i, None, None, "line is blank: remove it") for i in blank]
    header = next(csv.reader(io.StringIO(text)))
    expected = [f["name"] for f in resource["schema"]["fields"]]
    if len(header) == 1 and len(expected) > 1:
        for delimiter in (";", "\t", "|"):
            if delimiter in header[0]:
                shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
                return [Problem(name, 1, None, None,
                                f"header is separated by {shown}, not commas: save the file as comma-separated")]
    problems = []
    for col in expected:
        if col not in header:
            problems.append(Problem(name, 1, col, None, "column is missing from the header"))
    for col in header:
        if col not in expected:
            problems.append(Problem(name, 1, col, None,
                                    f"column is not in the schema (expected: {', '.join(expected)})"))
    seen: set[str] = set()
    for col in header:
        if col in seen and col in expected:
            problems.append(Problem(name, 1, col, None, "column appears twice in the header"))
        seen.add(col)
    return problems


def _constraint_rule(note: str, field_def: dict) -> str:
    """Turn a Frictionless constraint note into a rule a person can act on."""
    constraints = field_def.get("constraints", {})
    kind = re.search(r'constraint "(\w+)"', note)
    kind_name = kind.group(1) if kind else ""
    if kind_name == "required":
        return "is empty but required"
    if kind_name == "minimum":
        return f"is below the minimum {constraints['minimum']}"
    if kind_name == "maximum":
        return f"is above the maximum {constraints['maximum']} ({field_def.get('description', '')})"
    if kind_name == "exclusiveMinimum":
        return f"must be greater than {constraints['exclusiveMinimum']}"
    if kind_name == "enum":
        return f"is not one of: {', '.join(map(str, constraints['enum']))}"
    if kind_name == "pattern":
        return field_def.get("x-pattern-hint", f"does not match the pattern {constraints['pattern']}")
    if kind_name in ("minLength", "maxLength"):
        return f"breaks the rule {kind_name} = {constraints[kind_name]}"
    return note


def _frictionless_release() -> str:
    """The installed Frictionless distribution (``frictionless-5.21.0.dist-info``), found without importing it."""
    spec = importlib.util.find_spec("frictionless")
    if spec is None or spec.origin is None:
        return "frictionless not installed"
    site = Path(spec.origin).parent.parent
    releases = sorted(p.name for p in site.glob("frictionless-*.dist-info"))
    return ";".join(releases) or spec.origin


def _frictionless_digest(data_dir: Path, package_json: str) -> str:
    """sha256 of everything the Frictionless pass reads: descriptor, files, this module and the validator."""
    digest = hashlib.sha256()
    for part in (package_json.encode(), Path(__file__).read_bytes(), _frictionless_release().encode()):
        digest.update(f"{len(part)}\0".encode())
        digest.update(part)
    for res in json.loads(package_json)["resources"]:
        raw = (data_dir / res["path"]).read_bytes()
        digest.update(f"{res['path']}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def _known_clean(digest: str) -> bool:
    return VALIDATION_CACHE_DIR is not None and (VALIDATION_CACHE_DIR / digest).is_file()


def _remember_clean(digest: str) -> None:
    """Write the marker atomically; a read-only checkout just validates in full every time."""
    if VALIDATION_CACHE_DIR is None:
        return
    try:
        VALIDATION_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=VALIDATION_CACHE_DIR, prefix=".tmp-")
        os.close(fd)
        os.replace(tmp, VALIDATION_CACHE_DIR / digest)
        markers = sorted((p.stat().st_mtime, p) for p in VALIDATION_CACHE_DIR.iterdir() if p.name != digest)
        for _, old in markers[: max(0, len(markers) + 1 - VALIDATION_CACHE_MAX_ENTRIES)]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _frictionless_problems(data_dir: Path, resources: list[dict]) -> list[Problem]:
    """Run the Frictionless validator over resources whose files passed the file checks.

    Skipped when the same inputs were already found clean (see :data:`VALIDATION_CACHE_DIR`).
    """
    if not resources:
        return []
    names = {r["name"] for r in resources}
    trimmed = []
    for res in resources:
        res = json.loads(json.dumps(res))
        schema = res["schema"]
        # A reference into a file that already failed is reported there; skip it here.
        schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                 if fk["reference"]["resource"] in names]
        trimmed.append(res)
    package_descriptor = {"$schema": descriptor()["$schema"], "name": "dataset", "resources": trimmed}
    package_json = json.dumps(package_descriptor, sort_keys=True)
    digest = _frictionless_digest(data_dir, package_json)
    if _known_clean(digest):
        return []
    from frictionless import Package

    package = Package(package_descriptor, basepath=str(data_dir))
    report = package.validate()
    fields_by_resource = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in resources}
    path_by_resource = {r["name"]: r["path"] for r in resources}
    problems = []
    for task in report.tasks:
        file_name = _display_name(data_dir, path_by_resource[task.name])
        fields = fields_by_resource[task.name]
        # A row with the wrong number of values shifts every cell after the gap: report only that.
        ragged = {e.row_number for e in task.errors if e.type in ("extra-cell", "missing-cell")}
        for err in task.errors:
            line = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None)
            cell = getattr(err, "cell", None) or None
            if line in ragged and err.type not in ("extra-cell", "missing-cell"):
                continue
            if err.type == "type-error":
                type_name = fields[column].get("type", "string")
                problems.append(Problem(file_name, line, column, cell, f"is not {_TYPE_NAMES[type_name]}"))
            elif err.type == "constraint-error":
                rule = _constraint_rule(err.note, fields[column])
                problems.append(Problem(file_name, line, column, cell, rule))
            elif err.type == "primary-key":
                key_columns = _primary_key(resources, task.name)
                key = ", ".join(key_columns)
                values = ", ".join(_key_cells(data_dir / path_by_resource[task.name], err, key_columns))
                first = re.search(r"position (\d+)", err.note)
                where = f" (first on line {first.group(1)})" if first else ""
                problems.append(Problem(file_name, line, key, values,
                                        f"duplicates the primary key{where}"))
            elif err.type == "foreign-key":
                ref = re.search(r'lookup table "(\w+)" as "([\w, ]+)"', err.note)
                field_names = getattr(err, "field_names", None) or []
                field_cells = getattr(err, "field_cells", None) or []
                target = (f"{path_by_resource.get(ref.group(1), ref.group(1))} column {ref.group(2)}"
                          if ref else "the referenced file")
                problems.append(Problem(file_name, line, ", ".join(field_names), ", ".join(field_cells),
                                        f"is not found in {target}"))
            elif err.type in ("extra-cell", "missing-cell"):
                more = "more" if err.type == "extra-cell" else "fewer"
                problem = Problem(file_name, line, None, None, f"row has {more} values than the header")
                if problem not in problems:
                    problems.append(problem)
            else:
                problems.append(Problem(file_name, line, column, cell, f"{err.type}: {err.note}"))
    # Remember only a clean result, and only if no file changed while Frictionless was reading it.
    if not problems and _frictionless_digest(data_dir, package_json) == digest:
        _remember_clean(digest)
    return problems


def _primary_key(resources: list[dict], resource_name: str) -> list[str]:
    """The primary-key columns of a resource."""
    for res in resources:
        if res["name"] == resource_name:
            pk = res["schema"].get("primaryKey", [])
            return [pk] if isinstance(pk, str) else list(pk)
    return []


def _key_cells(path: Path, err, key: list[str]) -> list[str]:
    """The key values of the row an error points at (Frictionless gives the cells in header order)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    cells = list(getattr(err, "cells", None) or [])
    return [str(cells[header.index(k)]) if header.index(k) < len(cells) else "" for k in key]


def _read_typed(data_dir: Path, resource: dict) -> pd.DataFrame:
    """Read a validated CSV with pandas dtypes derived from the descriptor."""
    fields = resource["schema"]["fields"]
    frame = pd.read_csv(data_dir / resource["path"], dtype=str, keep_default_na=False, na_values=[""],
                        skip_blank_lines=False)
    for f in fields:
        col, kind = f["name"], f.get("type", "string")
        if kind == "number":
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
        elif kind == "integer":
            values = pd.to_numeric(frame[col])
            frame[col] = values.astype("int64") if values.notna().all() else values.astype("Int64")
        elif kind == "date":
            frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d").dt.date
        elif kind == "boolean":
            frame[col] = frame[col].map({"true": True, "false": False})
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame[[f["name"] for f in fields]]


def _cross_field_problems(data_dir: Path, resource: dict, frame: pd.DataFrame,
                          today: dt.date) -> list[Problem]:
    """Rules between columns of one row, which a Table Schema cannot state."""
    name = _display_name(data_dir, resource["path"])
    problems = []
    columns = set(frame.columns)
    for col in frame.columns:
        if col.endswith("_low") and col[:-4] + "_high" in columns:
            high = col[:-4] + "_high"
            bad = frame[(frame[col] > frame[high]).fillna(False)]
            problems += [Problem(name, int(line), col, _fmt(row[col]), f"is above {high} = {_fmt(row[high])}")
                         for line, row in bad.iterrows()]
    for f in resource["schema"]["fields"]:
        if f.get("type") == "date":
            bad = frame[frame[f["name"]].map(lambda d: d is not None and not pd.isna(d) and d > today)]
            problems += [Problem(name, int(line), f["name"], str(row[f["name"]]),
                                 f"is in the future (today is {today.isoformat()})")
                         for line, row in bad.iterrows()]
    for rule in resource.get("x-rules", []):
        problems += _rule_problems(name, frame, rule)
    return problems


def _rule_problems(name: str, frame: pd.DataFrame, rule: dict) -> list[Problem]:
    """Evaluate one declarative row rule from the descriptor's ``x-rules`` list."""
    kind = rule["kind"]
    if kind == "required_when":
        # column must be filled when another column has a given value
        mask = (frame[rule["when_column"]] == rule["equals"]) & frame[rule["column"]].isna()
        return [Problem(name, int(line), rule["column"], None,
                        f"is empty but required when {rule['when_column']} is '{rule['equals']}'")
                for line in frame.index[mask]]
    if kind == "not_above":
        mask = (frame[rule["column"]] > frame[rule["other"]]).fillna(False)
        return [Problem(name, int(line), rule["column"], _fmt(frame.loc[line, rule["column"]]),
                        f"is above {rule['other']} = {_fmt(frame.loc[line, rule['other']])}")
                for line in frame.index[mask]]
    if kind == "max_when":
        above = frame[rule["column"]] > rule["maximum"]
        mask = ((frame[rule["when_column"]] == rule["equals"]) & above).fillna(False)
        return [Problem(name, int(line), rule["column"], _fmt(frame.loc[line, rule["column"]]),
                        f"is above the maximum {rule['maximum']} (a {rule['equals']} cannot exceed {rule['maximum']})")
                for line in frame.index[mask]]
    raise ValueError(f"unknown rule kind {kind!r} in datapackage.json")


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate(data_dir: str | Path | None = None, today: dt.date | None = None,
             ) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """Check a dataset folder against the canonical descriptor.

    Parameters
    ----------
    data_dir : folder holding the CSV files; ``None`` means the repository's ``data/``.
    today : the date that ``retrieved_on`` may not exceed; defaults to the system date.

    Returns
    -------
    (problems, tables): every problem found, sorted by file and line, and the typed tables
    (only those that were read; complete when ``problems`` is empty).
    """
    data_dir = paths.resolve_data_dir(data_dir)
    today = today or dt.date.today()
    if not data_dir.is_dir():
        return [Problem(str(data_dir), None, None, None, "dataset folder does not exist")], {}
    resources = descriptor()["resources"]
    problems: list[Problem] = []
    sound = []
    for res in resources:
        found = _file_problems(data_dir, res)
        problems += found
        if not found:
            sound.append(res)
    problems += _frictionless_problems(data_dir, sound)
    tables: dict[str, pd.DataFrame] = {}
    broken_files = {p.file for p in problems}
    for res in sound:
        if _display_name(data_dir, res["path"]) in broken_files:
            continue
        frame = _read_typed(data_dir, res)
        tables[res["name"]] = _with_derived_columns(res["name"], frame)
        problems += _cross_field_problems(data_dir, res, frame, today)
    order = {_display_name(data_dir, r["path"]): i for i, r in enumerate(resources)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.line or 0, p.column or "", p.rule))
    return problems, tables


BYTES_PER_UNIT = {"GB": 1e9, "GiB": 2.0**30}


def _with_derived_columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns computed once from what the file states: ``gpus.memory_gb`` in 10^9 bytes from the vendor's unit.

    The model works in decimal GB throughout; the conversion happens here and nowhere else.
    """
    if name == "gpus" and {"memory_capacity", "memory_unit"} <= set(frame.columns):
        frame = frame.assign(memory_gb=frame["memory_capacity"] * frame["memory_unit"].map(BYTES_PER_UNIT) / 1e9)
    return frame


def stale_rows(tables: dict[str, pd.DataFrame], data_dir: Path, as_of: dt.date,
               max_age_days: int) -> list[Problem]:
    """Rows whose ``retrieved_on`` is more than ``max_age_days`` before ``as_of`` (warnings, not errors)."""
    warnings = []
    by_name = {r["name"]: r for r in descriptor()["resources"]}
    for table_name, frame in tables.items():
        if "retrieved_on" not in frame.columns or by_name[table_name].get("x-staleness") != "price":
            continue
        name = _display_name(data_dir, by_name[table_name]["path"])
        # The guide's own figures are claims under audit, dated by the guide, not prices we assert.
        ours = ~frame["source"].str.startswith("guide:")
        for line, retrieved in frame.loc[ours, "retrieved_on"].items():
            age = (as_of - retrieved).days
            if age > max_age_days:
                warnings.append(Problem(name, int(line), "retrieved_on", retrieved.isoformat(),
                                        f"is {age} days old (limit {max_age_days} days): check the price"))
    return warnings


def load(data_dir: str | Path | None = None, today: dt.date | None = None,
         max_age_days: int | None = None) -> Dataset:
    """Validate then return the dataset; raise :class:`DataValidationError` listing every problem."""
    resolved = paths.resolve_data_dir(data_dir)
    problems, tables = validate(resolved, today=today)
    if problems:
        raise DataValidationError(resolved, problems)
    # The dataset's own "as of" date is its newest retrieval, so staleness does not drift with the clock
    # and the report stays reproducible.
    snapshot = max(max(f["retrieved_on"]) for f in tables.values() if "retrieved_on" in f.columns)
    limit = max_age_days if max_age_days is not None else int(descriptor()["x-max-price-age-days"])
    return Dataset(resolved, tables, snapshot, stale_rows(tables, resolved, snapshot, limit))
