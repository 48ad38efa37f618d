"""Read and validate the CSV price dataset: the only place in the project that reads ``data/``.

The rules live in one machine-readable descriptor, ``data/datapackage.json`` (a Frictionless Data
Package: field types, constraints, primary and foreign keys). Validation runs in three passes and
collects every problem before reporting:

1. file checks the CSV dialect cannot express (missing or empty file, a folder where a file should be,
   byte-order mark, encoding, delimiter, header names, blank lines, a header with no rows) and the spelling
   of every number: ASCII digits with an optional sign, point and exponent. Frictionless also takes what
   Python's ``float()`` takes (``2_50``, Arabic-Indic or full-width digits, ``nan``), which is no number a
   CSV file should hold; this pass refuses it;
2. the Frictionless validator over the files whose header is sound (types, required cells, physical
   ranges, enums, primary keys, references between files);
3. rules across columns and files (``_low <= _high``, dates not in the future, conditional requirements,
   each assumption inside its range, the guide's labels matched, the guide's figures all present).

The files are parsed once, with Python's ``csv`` module (any of LF, CRLF or CR line ends; a line break
inside a quoted cell is part of the cell), and problems name the physical line a row starts on. Only when
no problem is found are the rows typed into pandas, with dtypes taken from the descriptor. Anything in the
folder that the descriptor does not list (a folder, a backup, a notebook checkpoint) is ignored, and
:func:`ignored_entries` says which.

Pass 2 dominates the run time (about a second), so its clean results are remembered, one table at a time:
an empty marker file named by the sha256 of everything Frictionless reads to check that table (its
descriptor and bytes, those of the tables its foreign keys look into, this module's source and the
installed Frictionless release) is written to ``.cache/validation/``. A later run skips Frictionless for
every table whose inputs are identical; any change to a byte of those inputs changes the digest and that
table is checked again. Only clean tables are stored, so a table with problems is always re-checked.
Deleting the folder is always safe.
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
# Markers kept: each edit of a table leaves one (one per table it touches), so the oldest beyond this many are
# deleted.
VALIDATION_CACHE_MAX_ENTRIES = 1024

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
            return f"{where}: value '{_cell_text(self.value)}' {self.rule}"
        return f"{where}: {self.rule}"


# Longer cell values are cut in messages (a 300,000-digit number fills no screen usefully).
SHOWN_VALUE_CHARS = 60


def _cell_text(value: str) -> str:
    """A cell as a one-line message shows it: escapes for what does not print, long values cut."""
    text = value if value.isprintable() else value.encode("unicode_escape").decode("ascii")
    if len(text) > SHOWN_VALUE_CHARS:
        return f"{text[:SHOWN_VALUE_CHARS]}... ({len(value):,} characters)"
    return text


class DataValidationError(ValueError):
    """Raised when a dataset folder breaks its schema; carries every problem found."""

    def __init__(self, data_dir: Path, problems: list[Problem]):
        self.data_dir = data_dir
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid dataset {data_dir}: {len(problems)} {noun}\n{lines}")


@dataclass(frozen=True)
class Parsed:
    """A CSV file as read once: its header, its data rows, and the physical line each row starts on."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def line_of(self, row_number: int) -> int:
        """The physical line of a row counted from 1 (the header) as Frictionless counts them."""
        return 1 if row_number <= 1 else self.lines[min(row_number - 2, len(self.lines) - 1)]


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


def display_name(data_dir: Path, file_name: str) -> str:
    """``data/gpus.csv`` for the canonical dataset, else the path as given."""
    path = data_dir / file_name
    try:
        return str(path.relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)


# A number as a CSV cell spells it (see the module docstring), and a whole number.
NUMBER_CELL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER_CELL = re.compile(r"[+-]?[0-9]+")
DATE_CELL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ISO, padded: 2026-01-05, not 2026-1-5
# Files a dataset folder may hold beside its tables.
KNOWN_FILES = (paths.DATAPACKAGE_NAME, "README.md")
# Copies of public data that rows of the dataset are derived from, with their licences (the derivations are code and
# tested: analysis/data/traffic.py). The report never reads them.
KNOWN_FOLDERS = ("sources",)


# The csv module refuses a cell over 128 KB by default, with no line to name; a long note is still a note.
csv.field_size_limit(2**31 - 1)


class _Unreadable(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _parse(text: str) -> Parsed:
    """Rows and the line each starts on; ``newline=""`` keeps line breaks inside quoted cells.

    A row with the wrong number of cells that spans lines is a quote left open (it swallowed the lines after
    it): :class:`_Unreadable` names the line it opens on, instead of the knock-on errors of every later line.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines = [], []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            if rows[1:] and reader.line_num > start and len(row) != len(rows[0]):
                raise _Unreadable(start, f"a quote (\") opens a cell on this line that runs on to line "
                                         f"{reader.line_num}: close it, or remove it")
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _Unreadable(reader.line_num, f"is not a readable CSV file: {exc}") from None
    return Parsed(rows[0] if rows else [], rows[1:], lines[1:])


def _file_problems(data_dir: Path, resource: dict) -> tuple[list[Problem], Parsed | None]:
    """Checks made before Frictionless: presence, encoding, BOM, delimiter, header names, blank lines, a
    header with no rows, and the spelling of every number. Returns the problems and the parsed file."""
    name = display_name(data_dir, resource["path"])
    path = data_dir / resource["path"]
    if path.is_dir():
        return [Problem(name, None, None, None, "is a folder: the dataset needs a CSV file by this name")], None
    if not path.is_file():
        return [Problem(name, None, None, None, "file is missing (listed in datapackage.json)")], None
    raw = path.read_bytes()
    if not raw.strip():
        return [Problem(name, None, None, None, "file is empty: expected a header row and data rows")], None
    if raw.startswith(b"\xef\xbb\xbf"):
        return [Problem(name, 1, None, None,
                        "file starts with a UTF-8 byte-order mark (BOM): save it as UTF-8 without BOM")], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [Problem(name, line, None, None, f"is not valid UTF-8 (byte {exc.start}): save it as UTF-8")], None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        return [Problem(name, line, None, None, "holds a NUL byte: save it as UTF-8 text (a file saved as UTF-16 "
                                                "has one in every other byte)")], None
    try:
        parsed = _parse(text)
    except _Unreadable as exc:
        return [Problem(name, exc.line, None, None, str(exc))], None
    blank = [line for line, row in zip(parsed.lines, parsed.rows, strict=True)
             if not any(cell.strip(" \t") for cell in row)]
    if not any(cell.strip(" \t") for cell in parsed.header):
        blank.insert(0, 1)
    if blank:
        return [Problem(name, i, None, None, "line is blank: remove it") for i in blank], None
    header = parsed.header
    expected = [f["name"] for f in resource["schema"]["fields"]]
    if len(header) == 1 and len(expected) > 1:
        for delimiter in (";", "\t", "|"):
            if delimiter in header[0]:
                shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
                return [Problem(name, 1, None, None,
                                f"header is separated by {shown}, not commas: save the file as comma-separated")], None
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
    if problems:
        return problems, None
    if not parsed.rows:
        return [Problem(name, None, None, None,
                        "has a header but no rows: the model needs at least one row in every table")], None
    for spec in resource["schema"]["fields"]:
        kind = spec.get("type")
        pattern = {"number": NUMBER_CELL, "integer": INTEGER_CELL, "date": DATE_CELL}.get(kind)
        if pattern is None:
            continue
        i = header.index(spec["name"])
        for line, row in zip(parsed.lines, parsed.rows, strict=True):
            if len(row) != len(header):
                continue  # a ragged row shifts its cells; Frictionless reports the row once
            cell = row[i]
            if cell and not pattern.fullmatch(cell):
                what = {"number": "a number: write digits 0-9 with an optional sign, point and exponent, such as "
                                  "2.5 or 1e9",
                        "integer": "a whole number: write digits 0-9, such as 8",
                        "date": "a date (YYYY-MM-DD)"}[kind]
                problems.append(Problem(name, line, spec["name"], cell, f"is not {what}"))
    return problems, parsed


def ignored_entries(data_dir: Path) -> list[str]:
    """What the dataset folder holds beside its tables, ``README.md``, the descriptor and :data:`KNOWN_FOLDERS`: never
    read, said."""
    listed = {r["path"] for r in descriptor()["resources"]} | set(KNOWN_FILES)
    found = []
    for entry in sorted(Path(data_dir).iterdir()) if Path(data_dir).is_dir() else []:
        if (entry.name in listed and entry.is_file()) or (entry.name in KNOWN_FOLDERS and entry.is_dir()):
            continue
        kind = "a folder" if entry.is_dir() else "not a table of datapackage.json"
        found.append(f"{entry.name}{'/' if entry.is_dir() else ''} ({kind})")
    return found


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


def _frictionless_digest(data_dir: Path, package: dict, name: str) -> str:
    """sha256 of everything Frictionless reads to check one resource: its descriptor and file, and those of every
    resource its foreign keys look into; this module and the validator's release."""
    by_name = {r["name"]: r for r in package["resources"]}
    resource = by_name[name]
    looked_into = {fk["reference"]["resource"] for fk in resource["schema"].get("foreignKeys", [])} - {name, ""}
    read = [name, *sorted(looked_into)]
    digest = hashlib.sha256()
    for part in (Path(__file__).read_bytes(), _frictionless_release().encode()):
        digest.update(f"{len(part)}\0".encode())
        digest.update(part)
    for each in read:
        res = by_name[each]
        raw = json.dumps(res, sort_keys=True).encode() + b"\0" + (data_dir / res["path"]).read_bytes()
        digest.update(f"{each}\0{len(raw)}\0".encode())
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


def _frictionless_problems(data_dir: Path, resources: list[dict],
                           parsed: dict[str, Parsed] | None = None) -> list[Problem]:
    """Run the Frictionless validator over resources whose files passed the file checks.

    Frictionless counts rows; ``parsed`` (by resource name) turns a row into the physical line it starts on.
    Skipped when the same inputs were already found clean (see :data:`VALIDATION_CACHE_DIR`).
    """
    parsed = parsed or {}
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
    # One resource at a time, each remembered on its own: after an edit, only the edited file and the files
    # whose foreign keys look into it are checked again.
    digests = {r["name"]: _frictionless_digest(data_dir, package_descriptor, r["name"]) for r in trimmed}
    unchecked = [name for name, digest in digests.items() if not _known_clean(digest)]
    if not unchecked:
        return []
    from frictionless import Package

    package = Package(package_descriptor, basepath=str(data_dir))
    tasks = [task for name in unchecked for task in package.validate(name=name).tasks]
    fields_by_resource = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in resources}
    path_by_resource = {r["name"]: r["path"] for r in resources}
    problems = []
    for task in tasks:
        file_name = display_name(data_dir, path_by_resource[task.name])
        fields = fields_by_resource[task.name]
        # A row with the wrong number of values shifts every cell after the gap: report only that.
        ragged = {e.row_number for e in task.errors if e.type in ("extra-cell", "missing-cell")}
        for err in task.errors:
            line = getattr(err, "row_number", None)
            if line is not None and task.name in parsed:
                line = parsed[task.name].line_of(line)
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
    # Remember only clean resources, and only if no file changed while Frictionless was reading it.
    broken = {p.file for p in problems}
    for name in unchecked:
        clean = display_name(data_dir, path_by_resource[name]) not in broken
        if clean and _frictionless_digest(data_dir, package_descriptor, name) == digests[name]:
            _remember_clean(digests[name])
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


def _read_typed(parsed: Parsed, resource: dict) -> pd.DataFrame:
    """Type a validated file's rows with pandas dtypes derived from the descriptor; the index is the line each
    row starts on. Every number cell already matched :data:`NUMBER_CELL`, so pandas reads each as written."""
    fields = resource["schema"]["fields"]
    # Written back as plain CSV (LF line ends, quoted where needed) for pandas to read with string dtypes.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([parsed.header, *parsed.rows])
    frame = pd.read_csv(io.StringIO(buffer.getvalue()), dtype=str, keep_default_na=False, na_values=[""],
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
    frame.index = pd.Index(parsed.lines, name="line")
    return frame[[f["name"] for f in fields]]


def _cross_field_problems(data_dir: Path, resource: dict, frame: pd.DataFrame,
                          today: dt.date) -> list[Problem]:
    """Rules between columns of one row, which a Table Schema cannot state."""
    name = display_name(data_dir, resource["path"])
    problems = []
    columns = set(frame.columns)
    for col in frame.columns:
        if col.endswith("_low") and col[:-4] + "_high" in columns:
            high = col[:-4] + "_high"
            bad = frame[(frame[col] > frame[high]).fillna(False)]
            problems += [Problem(name, int(line), col, number_text(row[col]),
                                 f"is above {high} = {number_text(row[high])}") for line, row in bad.iterrows()]
    for f in resource["schema"]["fields"]:
        if f.get("type") == "date":
            bad = frame[frame[f["name"]].map(lambda d: d is not None and not pd.isna(d) and d > today)]
            problems += [Problem(name, int(line), f["name"], str(row[f["name"]]),
                                 f"is in the future (today is {today.isoformat()})")
                         for line, row in bad.iterrows()]
    for rule in resource.get("x-rules", []):
        if rule["kind"] in ROW_RULES:
            problems += _rule_problems(name, frame, rule)
    return problems


# Rules over one row's cells (the others, in _table_rule_problems, read whole tables).
ROW_RULES = ("required_when", "required_when_filled", "not_above", "max_when")


def _rule_problems(name: str, frame: pd.DataFrame, rule: dict) -> list[Problem]:
    """Evaluate one declarative row rule from the descriptor's ``x-rules`` list."""
    kind = rule["kind"]
    if kind == "required_when":
        # column must be filled when another column has a given value
        mask = (frame[rule["when_column"]] == rule["equals"]) & frame[rule["column"]].isna()
        return [Problem(name, int(line), rule["column"], None,
                        f"is empty but required when {rule['when_column']} is '{rule['equals']}'")
                for line in frame.index[mask]]
    if kind == "required_when_filled":
        # column must be filled whenever another column is (a retired offer names what replaced it)
        mask = frame[rule["when_column"]].notna() & frame[rule["column"]].isna()
        return [Problem(name, int(line), rule["column"], None,
                        f"is empty but required when {rule['when_column']} is filled")
                for line in frame.index[mask]]
    if kind == "not_above":
        mask = (frame[rule["column"]] > frame[rule["other"]]).fillna(False)
        return [Problem(name, int(line), rule["column"], number_text(frame.loc[line, rule["column"]]),
                        f"is above {rule['other']} = {number_text(frame.loc[line, rule['other']])}")
                for line in frame.index[mask]]
    if kind == "max_when":
        above = frame[rule["column"]] > rule["maximum"]
        mask = ((frame[rule["when_column"]] == rule["equals"]) & above).fillna(False)
        return [Problem(name, int(line), rule["column"], number_text(frame.loc[line, rule["column"]]),
                        f"is above the maximum {rule['maximum']} (a {rule['equals']} cannot exceed {rule['maximum']})")
                for line in frame.index[mask]]
    raise ValueError(f"unknown row rule kind {kind!r} in datapackage.json")


def number_text(value) -> str:
    """A cell's number as a message quotes it: ``80`` for 80.0, else as Python writes it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)




def today_utc() -> dt.date:
    """Today's date in UTC: the one zone of every date the project stamps or compares (see the README)."""
    return dt.datetime.now(dt.UTC).date()


def validate(data_dir: str | Path | None = None, today: dt.date | None = None,
             ) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """Check a dataset folder against the canonical descriptor.

    Parameters
    ----------
    data_dir : folder holding the CSV files; ``None`` means the repository's ``data/``.
    today : the date that ``retrieved_on`` may not exceed; defaults to today in UTC.

    Returns
    -------
    (problems, tables): every problem found, sorted by file and line, and the typed tables
    (only those that were read; complete when ``problems`` is empty).
    """
    data_dir = paths.resolve_data_dir(data_dir)
    today = today or today_utc()
    too_long = paths.too_long(data_dir)
    if too_long:
        return [Problem(str(data_dir)[:80] + "...", None, None, None, f"cannot be read: {too_long}")], {}
    if not data_dir.is_dir():
        return [Problem(str(data_dir), None, None, None, "dataset folder does not exist")], {}
    resources = descriptor()["resources"]
    problems: list[Problem] = []
    sound, parsed = [], {}
    for res in resources:
        found, parse = _file_problems(data_dir, res)
        problems += found
        if parse is not None:
            sound.append(res)
            parsed[res["name"]] = parse
    # A cell this module already refused as no number is not reported again by Frictionless.
    refused = {(p.file, p.line, p.column) for p in problems}
    problems += [p for p in _frictionless_problems(data_dir, sound, parsed)
                 if (p.file, p.line, p.column) not in refused]
    tables: dict[str, pd.DataFrame] = {}
    broken_files = {p.file for p in problems}
    for res in sound:
        if display_name(data_dir, res["path"]) in broken_files:
            continue
        frame = _read_typed(parsed[res["name"]], res)
        tables[res["name"]] = _with_derived_columns(res["name"], frame)
        problems += _cross_field_problems(data_dir, res, frame, today)
    for res in resources:
        if res["name"] in tables:
            for rule in res.get("x-rules", []):
                problems += _table_rule_problems(data_dir, res, tables, rule)
    order = {display_name(data_dir, r["path"]): i for i, r in enumerate(resources)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.line or 0, p.column or "", p.rule))
    return problems, tables


def _table_rule_problems(data_dir: Path, resource: dict, tables: dict[str, pd.DataFrame],
                         rule: dict) -> list[Problem]:
    """Rules that read other tables, or the model's list of assumptions (``x-rules`` kinds beyond one row)."""
    from analysis.data import limits

    name = display_name(data_dir, resource["path"])
    frame = tables[resource["name"]]
    kind = rule["kind"]
    if kind == "row_limits":
        known = limits.assumption_limits()
        names = limits.assumption_names()
        problems = []
        for line, row in frame.iterrows():
            limit = known.get(row[rule["key"]]) if row[rule["key"]] in names else None
            if limit is None:
                problems.append(Problem(name, int(line), rule["key"], str(row[rule["key"]]),
                                        f"is not an assumption the model reads (it reads: {', '.join(names)})"))
                continue
            for column in rule["columns"]:
                if not limit.contains(float(row[column])):
                    problems.append(Problem(name, int(line), column, number_text(row[column]),
                                            f"is out of range for {row[rule['key']]}: {limit.what} must be "
                                            f"{limit.range_text}"))
        missing = [n for n in names if n not in set(frame[rule["key"]])]
        problems += [Problem(name, None, rule["key"], n, "is missing: the model reads this assumption; add its row")
                     for n in missing]
        return problems
    if kind == "matches_labels":
        labels: set[str] = set()
        sources = []
        for source in rule["labels"]:
            other = tables.get(source["resource"])
            if other is None:
                return []  # reported in its own file
            labels |= set(other.loc[other["table_name"].isin(source["table_name"]), source["column"]])
            sources.append(f"{source['resource']}.csv")
        column = rule["column"]
        given = frame[column]
        problems = [Problem(name, int(line), column, str(value),
                            f"is not a model the guide lists (its labels: {', '.join(sorted(labels))})")
                    for line, value in given.dropna().items() if value not in labels]
        problems += [Problem(name, None, column, label,
                             f"is a model the guide lists ({' and '.join(sources)}) that no row names: give its "
                             "row this label")
                     for label in sorted(labels - set(given.dropna()))]
        return problems
    if kind == "requires_values":
        column = rule["column"]
        return [Problem(name, None, column, value, f"has no row: {rule['why']}")
                for value in rule["values"] if value not in set(frame[column])]
    if kind == "published_keys":
        return _published_key_problems(data_dir, resource, frame)
    return []


def _published_key_problems(data_dir: Path, resource: dict, frame: pd.DataFrame) -> list[Problem]:
    """The guide's printed figures are a record: any dataset holds every one of ``data/``'s, and no other."""
    record = paths.SCHEMA_FILE.parent  # the repository's own data/, beside the canonical descriptor
    published = record / resource["path"]
    if data_dir.resolve() == record.resolve() or not published.is_file():
        return []
    name = display_name(data_dir, resource["path"])
    key = resource["schema"]["primaryKey"]
    key = key[0] if isinstance(key, list) else key
    parsed = _parse(published.read_text(encoding="utf-8"))
    wanted = {row[parsed.header.index(key)] for row in parsed.rows}
    found = set(frame[key])
    record = f"data/{resource['path']}"
    problems = [Problem(name, None, key, k, f"is missing: the guide printed it ({record}); keep every row")
                for k in sorted(wanted - found)]
    problems += [Problem(name, int(line), key, str(k), f"is not in the guide ({record} lists what it printed)")
                 for line, k in frame[key].items() if k not in wanted]
    return problems


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
    """Rows whose price was last confirmed more than ``max_age_days`` before ``as_of`` (warnings, not errors).

    The date judged is the table's ``x-staleness-column`` (``confirmed_on`` for API prices: when the source
    itself last confirmed the price, not when we read it), else ``retrieved_on``.
    """
    warnings = []
    by_name = {r["name"]: r for r in descriptor()["resources"]}
    for table_name, frame in tables.items():
        resource = by_name[table_name]
        column = resource.get("x-staleness-column", "retrieved_on")
        if column not in frame.columns or resource.get("x-staleness") != "price":
            continue
        name = display_name(data_dir, resource["path"])
        # The guide's own figures are claims under audit, dated by the guide, not prices we assert; a retired
        # offer's price is history, not one to check again.
        ours = ~frame["source"].str.startswith("guide:")
        if "retired_on" in frame.columns:
            ours &= frame["retired_on"].isna()
        for line, confirmed in frame.loc[ours, column].items():
            age = (as_of - confirmed).days
            if age > max_age_days:
                warnings.append(Problem(name, int(line), column, confirmed.isoformat(),
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
