"""`twinimpact load`: the one writer of raw data (CONTRACT §2).

Per file: file-level checks (etl/sources/files.py); one generated validation pass
(etl/validate.py) over DuckDB's CSV reader, or over temp._src for the other formats
(etl/sources/readers.py), writes a landing table shaped like the raw table plus each row's
broken rule; the line, repeated-key and ECB-rate follow-ups run on it; then one transaction
quarantines the bad rows, merges the good ones (etl/merge.py) and records the load in
meta.loads (every attempt is recorded, rejected ones too).

Where the data is written once: a first load into an empty raw table lands in the raw schema
and the landing table becomes the raw table; later loads land in a temp table and merge. A
killed load leaves only the writer's private copy behind (etl/warehouse.py), so either way the
published warehouse is untouched until the end.

Counts: rows_in = inserted + updated + unchanged + quarantined, always. A file whose bytes were
already loaded for the kind is `skipped` with every count 0 (nothing was read).

Decisions (CONTRACT §1–§2 leaves them open):
- cancel_reason is kept as given (vocabulary checked) whatever the status; the marts count it
  only for cancelled bookings.
- valid_to has no "a year ahead" bound: licences legitimately run for years.
- used_on given as a timestamp: used_on is its date as written, used_at the instant (in UTC
  when an offset is given).
- A CSV line with more or fewer fields than the header rejects the file (the columns can no
  longer be trusted); blank lines are skipped, and a row's line is the line of the file it
  starts on (blank lines and values holding line breaks counted).
- --decimal , applies to CSV/TSV text; native numbers in parquet/jsonl/xlsx are exact already.
- A reporting currency other than the warehouse's rejects each file (recorded, exit 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import duckdb

from etl import config, merge, progress, validate, warehouse
from etl.contracts import BY_NAME, KIND_LIST, Kind
from etl.errors import UsageError, UserError
from etl.mapping import Mapping
from etl.sources import files, readers
from etl.sources.files import FileProblem, SourceFile

COUNTS = ("rows_in", "inserted", "updated", "unchanged", "quarantined")
_TIMING = os.environ.get("TWINIMPACT_TIMING") == "1"  # phase timings on stderr (benchmarks)
_t0 = [time.perf_counter(), time.process_time()]
# tests only (tests/test_atomicity.py): the writer stops after this phase until its stdin
# closes, so a test can kill it or look at the warehouse at a known point of the load
_HOLD = os.environ.get("TWINIMPACT_TEST_HOLD")


def _lap(phase: str) -> None:
    if _TIMING:  # wall and CPU seconds: CPU is not stretched by other work on the machine
        now, cpu = time.perf_counter(), time.process_time()
        print(f"timing {phase}: {now - _t0[0]:.2f}s wall, {cpu - _t0[1]:.2f}s CPU",
              file=sys.stderr, flush=True)
        _t0[:] = [now, cpu]
    if phase == _HOLD:
        print(f"held after {phase}", file=sys.stderr, flush=True)
        sys.stdin.read()


def _normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


WHERE_COLUMNS = {"csv": "to the header", "jsonl": "as keys of every JSON object",
                 "xlsx": "to the sheet's first row", "parquet": "as columns"}


def map_header(kind: Kind, header: list[str], where: str = "to the header",
               nested: dict[str, str] | None = None,
               elsewhere: Callable[[tuple[str, ...]], str] | None = None,
               supplied: frozenset[str] = frozenset(),
               ) -> tuple[dict[str, str | None], list[str]]:
    """Contract column → positional source column (c0..), and the ignored names as given.

    `where` says where the columns go in this format; `nested` names columns that hold lists
    or records (refused if the contract uses them); `elsewhere(required)` may say where else
    in the file the required columns are (an .xlsx sheet or row), for the error line;
    `supplied` names contract columns a mapping gives as constants (not needed in the file)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        key = _normalise(name)
        if not key:
            continue  # an unnamed column (e.g. a trailing delimiter) holds nothing we use
        if key in seen:
            raise FileProblem(
                f"duplicate column name {key!r} (columns {seen[key] + 1} and {i + 1}, ignoring "
                "case and spaces); rename or remove one")
        seen[key] = i
    missing = [c for c in kind.required_columns if c not in seen and c not in supplied]
    if missing:
        # a user who picked the wrong KIND is told which one the header fits
        fits = [k.name for k in KIND_LIST
                if k.name != kind.name and all(c in seen for c in k.required_columns)]
        hint = (f"; its header fits {' or '.join(fits)}: `twinimpact load {fits[0]} FILE`"
                if fits else elsewhere(kind.required_columns) if elsewhere else "")
        raise FileProblem(f"missing required column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}; add {'them' if len(missing) > 1 else 'it'} "
                          f"{where} (a {kind.name} file needs "
                          f"{', '.join(kind.required_columns)}){hint}")
    names = {c.name for c in kind.columns}
    for name, type_ in (nested or {}).items():
        if _normalise(name) in names:
            raise FileProblem(f"column {name!r} holds {type_} values (lists or records), not "
                              "single values; export it as plain text, numbers or dates")
    mapping = {c.name: (f"c{seen[c.name]}" if c.name in seen else None) for c in kind.columns}
    ignored = [header[i].replace("\ufeff", "").strip() for k, i in seen.items()
               if k not in names]
    return mapping, ignored


def contract_header(kind: Kind, header: list[str], transform: Mapping | None,
                    where: str = "to the header", nested: dict[str, str] | None = None,
                    elsewhere: Callable[[tuple[str, ...]], str] | None = None,
                    ) -> tuple[dict[str, str | None], list[str]]:
    """map_header after a --map mapping renamed (and ignored) the file's columns."""
    if transform is None:
        return map_header(kind, header, where, nested, elsewhere)
    renamed = transform.rename(header)
    have = {_normalise(h) for h in renamed}
    both = [c for c in transform.constants if c in have]
    if both:
        raise FileProblem(f"the {transform.label} gives {both[0]} a constant, but the file "
                          f"has a {both[0]} column; ignore that column in the mapping or "
                          "remove the constant")
    nested = {transform.columns.get(_normalise(k), k): t for k, t in (nested or {}).items()}
    try:
        return map_header(kind, renamed, where, nested, elsewhere,
                          supplied=frozenset(transform.constants))
    except FileProblem as exc:
        absent = transform.absent_sources(header)
        if absent and "missing required" in str(exc):
            raise FileProblem(f"{exc}; the {transform.label} expects "
                              f"{', '.join(repr(a) for a in absent)}, which the file does not "
                              "have") from exc
        raise


def reporting_currency(con: duckdb.DuckDBPyConnection, requested: str | None) -> str:
    """The warehouse's reporting currency; set by the first load, then fixed (UserError)."""
    row = con.execute("select value from meta.settings where key = 'reporting_currency'"
                      ).fetchone()
    want = (requested or (row[0] if row else config.DEFAULT_CURRENCY)).strip().upper()
    if row and row[0] != want:
        raise UserError(
            f"this warehouse reports money in {row[0]}, not {want}; load without --currency "
            f"(or with --currency {row[0]}), or use a new --db to report in {want}")
    known = con.execute("select count(*) from ref.fx_rates where currency = ?",
                        [want]).fetchone()[0]
    if not known:
        raise UserError(f"--currency {want} has no European Central Bank reference rate; "
                        "use one such as EUR, GBP, USD or SEK")
    return want


def _duck_problem(exc: duckdb.Error, sf: SourceFile) -> FileProblem:
    """Turn DuckDB's reader error about the file's content into a one-line FileProblem."""
    text = str(exc).split("\n  file = ")[0]  # not the reader's settings dump (quote = ...)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"line {line.group(1)}: " if line else ""
    if "Invalid unicode" in text or "not utf-8" in text.lower():
        return FileProblem(f"{where}the file is not UTF-8 text; "
                           "pass --encoding, e.g. --encoding latin-1")
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if cols:
        return FileProblem(
            f"{where}{cols.group(2)} fields where the header has {cols.group(1)} "
            f"(delimiter {sf.delimiter!r}); fix that line or quote values containing "
            "the delimiter")
    if "invalid state" in text.lower():  # DuckDB's strict RFC 4180 parser gave up
        return FileProblem(f"{where}not standard CSV (RFC 4180): for example line endings "
                           "that change within the file (\\n and \\r\\n) or a stray \" "
                           "inside a value; save it again as CSV UTF-8 from the program "
                           "that made it")
    size = re.search(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)", text)
    if size:
        return FileProblem(
            f"{where}the line is {int(size.group(2)) / 1e6:.1f} MB long, over the "
            f"{int(size.group(1)) / 1e6:.0f} MB a CSV line may have (no contract value is that "
            "long); check the file, e.g. for a quote that is never closed")
    if "quote" in text.lower():
        return FileProblem(f"{where}unterminated quoted value; close the quote "
                           "or remove the stray \"")
    first = " ".join(text.strip().splitlines()[0].split())[:200]
    return FileProblem(f"{where}cannot read the file ({first}); check it is a valid "
                       f"{sf.format} file")


def _mapping_columns(transform: Mapping | None) -> list:
    """meta.loads' mapping_name, mapping_sha256, mapping_text for a load."""
    if transform is None:
        return [None, None, None]
    return [transform.name, transform.sha256, transform.text]


def _record(con, load_id: int, kind: str, result: dict, started: dt.datetime,
            simulated: bool, transform: Mapping | None = None) -> None:
    con.execute(
        "insert into meta.loads (load_id, kind, file, sha256, status, started_at, finished_at,"
        " rows_in, inserted, updated, unchanged, quarantined, ignored_columns, error, "
        "simulated, mapping_name, mapping_sha256, mapping_text) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        # finished_at from Python: SQL now() would be the start of the load's transaction
        [load_id, kind, result["file"], result["sha256"], result["status"], started,
         dt.datetime.now(dt.UTC),
         *(result[c] for c in COUNTS), result["ignored_columns"], result["error"], simulated,
         *_mapping_columns(transform)],
    )


def _land(con, kind: Kind, sf: SourceFile, result: dict, land: str, landing: list, *,
          load_id: int, decimal: str, reporting: str, today: dt.date, bar,
          task, transform: Mapping | None = None) -> validate.Plan:
    """Fill the landing table: one validation pass, then the line, key and money follow-ups.

    CSV is validated straight from DuckDB's reader (no text copy of the file is kept). The
    pass is a pure projection run outside any transaction, so the landing table keeps file
    order and a CSV row's line is its rowid + 2. Other formats are landed in temp._src first,
    with their line.
    """
    if sf.format == "csv":  # refuse a bad header before reading millions of rows
        contract_header(kind, sf.header, transform)
    with tempfile.TemporaryDirectory(prefix="twinimpact-") as tmp:
        if sf.encoding:
            bar.update(task, description=f"transcoding {sf.path.name}")
            files.transcode_to_utf8(sf, Path(tmp) / "utf8.csv")
        bar.update(task, description=f"reading {result['file']}", completed=1)
        try:
            if sf.format == "csv":
                header, (source, src_params), line_expr = (
                    sf.header, readers.csv_source(sf), None)
            else:
                header, line_expr = readers.land(con, sf)
                source, src_params = "temp._src", {}
            mapping, ignored = contract_header(
                kind, header, transform, WHERE_COLUMNS[sf.format], sf.nested,
                partial(readers.xlsx_header_hint, sf.path) if sf.format == "xlsx" else None)
            result["ignored_columns"] = ignored
            bar.update(task, description=f"validating {result['file']}", completed=2)
            plan = validate.validation_sql(
                kind, mapping, source, line_expr, [f"c{i}" for i in range(len(header))],
                header, landing=landing, load_id=load_id,
                decimal_comma=decimal == "," and sf.format == "csv",
                trim=sf.may_need_trim or sf.format != "csv", today=today,
                currencies=validate.currencies(con),
                nested_keys={c: header[int(src[1:])] for c, src in mapping.items() if src}
                if sf.format == "jsonl" else None, transform=transform)
            con.execute(f"insert into {land} {plan.sql}",  # noqa: S608
                        {**plan.params, **src_params})
            _lap("read + validate")
        except duckdb.Error as exc:
            if not readers.is_content_error(exc):
                raise
            raise _duck_problem(exc, sf) from exc
        validate.mark_duplicates(con, kind, land)
        _lap("duplicate keys")
        # a CSV row's line is its rowid + 2; the money update sets it on the rows it touches
        # (one pass over the table instead of two), this sets it on the rest
        validate.convert_money(con, kind, land, reporting, set_line=line_expr is None)
        if line_expr is None:
            con.execute(f"update {land} set _line = rowid + 2 where _line = 0")  # noqa: S608
            _fix_csv_lines(con, sf, land)
        _lap("ECB rates + lines")
        if con.execute(f"select count(*) from {land} where _reason is not null "  # noqa: S608
                       "and _raw is null").fetchone()[0]:
            # rare (repeated keys, no ECB rate): reread the file for those rows' raw values;
            # a CSV row is matched by its place in the file (both tables keep file order)
            if sf.format == "csv":
                readers.land(con, sf)
                src_key, land_key = "rowid", f"{land}.rowid"
            else:
                src_key, land_key = line_expr, f"{land}._line"
            con.execute(
                f"update {land} set _raw = s.raw from (select {src_key} as "  # noqa: S608
                f"k, {plan.raw_json} as raw from temp._src) s "
                f"where s.k = {land_key} and {land}._raw is null "
                f"and {land}._reason is not null", plan.raw_params)
    return plan


def _fix_csv_lines(con, sf: SourceFile, land: str) -> None:
    """Correct `rowid + 2` where the file's records are not one per line.

    DuckDB's reader skips blank lines and lets a quoted value hold line breaks, so a record's
    place in the file and its line can differ. The byte scan counted the lines: when they are
    exactly the header plus one per record, rowid + 2 is right (the fast, usual case).
    Otherwise each record's first line is found as Python's csv module reads it
    (readers.record_lines: a byte scan, or the csv module itself where the quoting is
    irregular); where the lines were not counted (UTF-16/32 text) or the parsers disagree,
    rowid + 2 stays.
    """
    if sf.lines is None:
        return
    [(rows,)] = con.execute(f"select count(*) from {land}").fetchall()  # noqa: S608
    if rows == sf.lines - 1:
        return
    starts = readers.record_lines(sf)
    if starts is None or len(starts) != rows:
        return  # the two parsers disagree: keep DuckDB's record order, line = rowid + 2
    import numpy as np
    import pyarrow as pa

    line = np.frombuffer(starts, dtype=np.int64)
    moved = np.flatnonzero(line != np.arange(2, rows + 2))  # only the rows whose line differs
    con.register("_record_lines", pa.table({"ord": moved, "line": line[moved]}))
    try:
        con.execute(f"update {land} set _line = m.line from _record_lines m "  # noqa: S608
                    f"where m.ord = {land}.rowid")
    finally:
        con.unregister("_record_lines")


def _coverage(con, kind: Kind, land: str, covers: tuple[dt.date, dt.date] | None) -> list:
    """(brand_id, first_month, last_month) for each brand a bookings file holds (CONTRACT §2)."""
    if kind.name != "bookings":
        return []
    span = ("?::date, ?::date" if covers else
            "date_trunc('month', min(shoot_date) over ())::date, "
            "date_trunc('month', max(shoot_date) over ())::date")
    return con.execute(
        f"select distinct brand_id, {span} from {land} "  # noqa: S608
        "where _reason is null", list(covers) if covers else []).fetchall()


def _publish(con, kind: Kind, plan: validate.Plan, land: str, adopting: bool, load_id: int,
             result: dict, *, reporting: str, started: dt.datetime, simulated: bool,
             covers: tuple[dt.date, dt.date] | None = None,
             transform: Mapping | None = None) -> None:
    """Quarantine the bad rows, merge (or adopt) the good ones and record the load, in one
    transaction: a failure rolls all three back.

    Adopting, the bad rows are copied out and deleted before the transaction: DuckDB cannot
    alter a table that was changed earlier in the same transaction. The landing table is not
    published data, and a failed load drops it.
    """
    rows_in, good = con.execute(
        f"select count(*), count(*) filter (where _reason is null) from {land}"  # noqa: S608
    ).fetchone()
    result.update(rows_in=rows_in, quarantined=rows_in - good)
    con.execute(f"create or replace temp table _bad as select _line, _reason, _raw, _rule "  # noqa: S608, E501
                f"from {land} where _reason is not null")
    coverage = _coverage(con, kind, land, covers)
    if adopting and rows_in > good:
        con.execute(f"delete from {land} where _reason is not null")  # noqa: S608
    con.execute("begin transaction")
    try:
        con.execute("insert or ignore into meta.settings values ('reporting_currency', ?)",
                    [reporting])
        if adopting:
            counts = merge.adopt(con, kind, land, good)
        else:
            columns = [c for c, _, _ in merge.raw_columns(con, kind)]
            counts = merge.merge(con, kind, land, plan.contract, columns, good)
        _lap("merge")
        # beside the full reason, its value-free form: the column(s) and the rule
        con.execute("insert into meta.quarantine (load_id, kind, file, line, reason, raw, "
                    "column_name, rule) select ?, ?, ?, _line, _reason, _raw, "
                    "split_part(_rule, ': ', 1), substr(_rule, strpos(_rule, ': ') + 2) "
                    "from _bad order by _line", [load_id, kind.name, result["file"]])
        result.update(counts)
        if coverage:
            con.execute("delete from meta.coverage where file = ?", [result["file"]])
            con.executemany("insert into meta.coverage values (?, ?, ?, ?, ?)",
                            [[load_id, result["file"], *row] for row in coverage])
        result["status"] = "loaded"
        _record(con, load_id, kind.name, result, started, simulated, transform)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def load_file(con: duckdb.DuckDBPyConnection, kind: str, path: Path, *,
              encoding: str | None = None, decimal: str = ".", currency: str | None = None,
              simulated: bool = False, today: dt.date | None = None, bar=None,
              scanned=None, covers: tuple[dt.date, dt.date] | None = None,
              transform: Mapping | None = None, name: str | None = None) -> dict:
    """Load one file on an open writable connection; returns the CONTRACT §3 --json dict.

    `scanned`: a Future of files.prescan(path, encoding) started earlier, if any.
    `transform`: a --map mapping applied before the contract checks. `name`: the file's own
    name when `path` is a temporary copy (an upload): provenance, quarantine and coverage
    are keyed by it. The same bytes count as loaded before only with the same mapping.

    The file's data changes run in one transaction; a rejected file rolls them back but its
    meta.loads row (status rejected, error) is still recorded. Never raises for bad input.
    """
    k = BY_NAME[kind]
    path = Path(path)
    result = {"file": name or str(path), "kind": kind, "sha256": None, "status": "rejected",
              **dict.fromkeys(COUNTS, 0), "ignored_columns": [], "error": None}
    started = dt.datetime.now(dt.UTC)
    today = today or dt.date.today()
    record = partial(_record, transform=transform)
    bar = bar or progress._Quiet()
    con.execute("set enable_progress_bar = false")  # ours (rich) is the only one shown
    task = bar.add_task(f"checking {path.name}", total=4)
    load_id = con.execute("select nextval('meta.load_seq')").fetchone()[0]
    try:
        try:
            reporting = reporting_currency(con, currency)
        except UserError as exc:
            raise FileProblem(str(exc)) from exc
        _lap("start")
        sf = files.inspect(path, encoding, scanned)
        _lap("hash + inspect")
        result["sha256"] = sf.sha256
        prior = con.execute(_PRIOR, [kind, sf.sha256, _mapping_columns(transform)[1]]
                            ).fetchone()[0]
        if prior is not None:
            result["status"] = "skipped"
            result["error"] = None
            record(con, load_id, kind, result, started, simulated)
            bar.update(task, completed=4, description=f"skipped {path.name}")
            return result
        validate.prepare(con, money=bool(k.money), reporting=reporting)
        landing = merge.raw_columns(con, k)
        # A first load lands in the raw schema and the landing table becomes the raw table;
        # later loads land in memory (spilling to disk) and merge into raw.
        adopting = merge.is_empty(con, k)
        land = f"raw._landing_{k.table}" if adopting else "temp._landing"
        try:
            merge.create_landing(con, land, temp=not adopting, columns=landing, plain=k.plain)
            plan = _land(con, k, sf, result, land, landing, load_id=load_id, decimal=decimal,
                         reporting=reporting, today=today, bar=bar, task=task,
                         transform=transform)
            bar.update(task, description=f"merging {result['file']}", completed=3)
            _publish(con, k, plan, land, adopting, load_id, result, reporting=reporting,
                     started=started, simulated=simulated, covers=covers,
                     transform=transform)
            _lap("quarantine + commit")
        finally:
            for t in (land, "temp._src", "temp._json", "temp._match", "temp._dups",
                      "temp._bad"):
                con.execute(f"drop table if exists {t}")  # noqa: S608
    except FileProblem as exc:
        result.update(dict.fromkeys(COUNTS, 0), status="rejected", error=str(exc))
        result["sha256"] = result["sha256"] or getattr(exc, "sha256", None)
        record(con, load_id, kind, result, started, simulated)
    bar.update(task, completed=4, description=f"{result['status']} {path.name}")
    return result


# an earlier load of the same bytes for the kind, with the same mapping (or none)
_PRIOR = ("select min(load_id) from meta.loads where kind = ? and sha256 = ? "
          "and status = 'loaded' and mapping_sha256 is not distinct from ?")


def load_paths(db: Path, kind: str, paths: list[Path], *, encoding: str | None = None,
               decimal: str = ".", currency: str | None = None, progress: bool = False,
               simulated: bool = False, today: dt.date | None = None,
               covers: tuple[dt.date, dt.date] | None = None,
               transform: Mapping | None = None, save_map: str | None = None,
               names: list[str] | None = None,
               before_publish: Callable[[list[dict]], None] | None = None) -> list[dict]:
    """One writer cycle: ensure the schema, load each file, rebuild the marts, publish.

    `transform`: a --map mapping for every file; `save_map`: keep it under that name (in this
    publish; only when a file loaded or was skipped, so a mapping that fits nothing is not
    kept); `names`: the files' own names when `paths` are temporary copies (an upload).
    before_publish(results): called once the files are loaded and before the warehouse is
    published (or, when nothing is published, once decided) — the dashboard's upload writes
    its audit row there, so that the publish it makes folds it into meta.audit.

    A call whose every file is skipped or rejected without reading its rows (same bytes as
    an earlier load, unreadable, a header missing columns, another reporting currency) is
    decided from a read-only look at the published warehouse: its attempts are recorded
    beside it (warehouse.record_attempts) and the warehouse is neither copied nor its marts
    rebuilt. The marts are rebuilt only when a load inserted, updated or quarantined rows, or
    when they were built by another version of the SQL (marts.up_to_date).
    """
    from etl import progress as progress_mod

    results = []
    _lap("begin")
    db, paths = Path(db), [Path(p) for p in paths]
    names = names or [None] * len(paths)
    # Hash the files (one thread; hashlib releases the GIL) while the warehouse is opened and
    # its schema and ECB rates are prepared: about half a second less per load.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twinimpact-hash")
    scans = [pool.submit(files.prescan, p, encoding) for p in paths]
    # the marts' modules import pandas and highspy (~0.4 s of CPU): here, while the hash
    # thread runs on the other core, rather than before it starts
    from etl import marts
    try:
        with warehouse.writer_lock(db):
            decided = None if save_map else _decide_read_only(
                db, kind, paths, scans, encoding=encoding, currency=currency,
                simulated=simulated, transform=transform, names=names)
            if decided is not None:
                warehouse.record_attempts(db, [row for _, row in decided])
                _lap("decided read-only")
                if before_publish:
                    before_publish([r for r, _ in decided])
                return [r for r, _ in decided]
            with warehouse.private_copy(db) as con:
                _lap("private copy")
                warehouse.ensure_schema(con)
                _merge_attempts(con, db)
                with progress_mod.bar(progress) as bar:
                    for p, scanned, name in zip(paths, scans, names, strict=True):
                        results.append(load_file(con, kind, p, encoding=encoding,
                                                 decimal=decimal, currency=currency,
                                                 simulated=simulated, today=today, bar=bar,
                                                 scanned=scanned, covers=covers,
                                                 transform=transform, name=name))
                if save_map and transform is not None and any(
                        r["status"] != "rejected" for r in results):
                    from etl import mapping as mapping_mod
                    mapping_mod.save(con, transform, save_map)
                # rows unchanged (other bytes, same values) change no mart either
                if any(r["status"] == "loaded" and (r["inserted"] or r["updated"]
                                                    or r["quarantined"]) for r in results) \
                        or not marts.up_to_date(con):
                    timings = marts.rebuild(con)
                    _lap("marts")
                    if _TIMING:  # inside the marts phase: the public release and its audit
                        print(f"timing release (in marts): {timings['release.cells']:.2f}s wall",
                              file=sys.stderr, flush=True)
                if before_publish:  # inside the writer: audit.fold publishes what it records
                    before_publish(results)
            # published: the attempts merged above are in meta.loads now
            warehouse.attempts_path(db).unlink(missing_ok=True)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed writer waits for no hash
    _lap("checkpoint + publish")
    return results


def _decide_read_only(db: Path, kind: str, paths: list[Path], scans: list, *,
                      encoding: str | None, currency: str | None, simulated: bool,
                      transform: Mapping | None = None,
                      names: list[str | None] | None = None,
                      ) -> list[tuple[dict, dict]] | None:
    """(result, meta.loads row) per file when none needs its rows read, else None."""
    from etl import marts

    if not db.exists():
        return None  # the writer creates the warehouse
    k = BY_NAME[kind]
    decided = []
    with warehouse.reader(db) as con:
        tables = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()").fetchall()}
        if not {"meta.loads", "meta.settings", "ref.fx_rates"} <= tables \
                or not marts.up_to_date(con) or not _has_mapping_columns(con):
            return None  # a writer must create the schema or rebuild another version's marts
        for path, scanned, name in zip(paths, scans, names or [None] * len(paths),
                                       strict=True):
            started = dt.datetime.now(dt.UTC)
            result = {"file": name or str(path), "kind": kind, "sha256": None, "status": "rejected",
                      **dict.fromkeys(COUNTS, 0), "ignored_columns": [], "error": None}
            try:
                try:
                    reporting_currency(con, currency)
                except UserError as exc:
                    raise FileProblem(str(exc)) from exc
                sf = files.inspect(path, encoding, scanned)
                result["sha256"] = sf.sha256
                if con.execute(_PRIOR, [kind, sf.sha256, _mapping_columns(transform)[1]]
                               ).fetchone()[0] is not None:
                    result["status"] = "skipped"
                else:
                    if sf.format == "csv":  # a header missing columns is rejected here
                        contract_header(k, sf.header, transform)
                    return None  # its rows must be read
            except FileProblem as exc:
                result.update(error=str(exc),
                              sha256=result["sha256"] or getattr(exc, "sha256", None))
            row = {**result, "started_at": started.isoformat(),
                   "finished_at": dt.datetime.now(dt.UTC).isoformat(), "simulated": simulated,
                   **dict(zip(("mapping_name", "mapping_sha256", "mapping_text"),
                              _mapping_columns(transform), strict=True))}
            decided.append((result, row))
    return decided


def _has_mapping_columns(con) -> bool:
    """Whether meta.loads records mappings (warehouses before 2026-12-07 need a writer)."""
    return con.execute("select count(*) from duckdb_columns() where database_name = "
                       "current_database() and schema_name = 'meta' and table_name = 'loads' "
                       "and column_name = 'mapping_sha256'").fetchone()[0] == 1


def _merge_attempts(con, db: Path) -> None:
    """Move the attempts recorded beside the warehouse into meta.loads, in their order.

    An attempt already there (a writer killed after publishing, before removing the side
    file) is not added twice.
    """
    for a in warehouse.pending_attempts(db):
        con.execute(
            "insert into meta.loads (load_id, kind, file, sha256, status, started_at, "
            "finished_at, rows_in, inserted, updated, unchanged, quarantined, ignored_columns, "
            "error, simulated, mapping_name, mapping_sha256, mapping_text) "
            "select nextval('meta.load_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ? where not exists (select 1 from meta.loads where kind = ? "
            "and file = ? and started_at = ?::timestamptz)",
            [a["kind"], a["file"], a["sha256"], a["status"], a["started_at"],
             a["finished_at"], *(a[c] for c in COUNTS), a["ignored_columns"], a["error"],
             a["simulated"], a.get("mapping_name"), a.get("mapping_sha256"),
             a.get("mapping_text"), a["kind"], a["file"], a["started_at"]])


def parse_covers(text: str, kind: str) -> tuple[dt.date, dt.date]:
    """`--covers YYYY-MM..YYYY-MM` → (first month, last month); UsageError if malformed."""
    if kind != "bookings":
        raise UsageError("--covers applies to bookings files only")
    m = re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})", text.strip())
    if not m or not (1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12):
        raise UsageError(f"--covers {text!r}: expected YYYY-MM..YYYY-MM, e.g. 2024-01..2025-12")
    first = dt.date(int(m[1]), int(m[2]), 1)
    last = dt.date(int(m[3]), int(m[4]), 1)
    if last < first:
        raise UsageError(f"--covers {text!r}: the last month is before the first")
    return first, last


def summary_line(r: dict) -> str:
    """The human line for one loaded or skipped file."""
    if r["status"] == "skipped":
        return (f"skipped {r['kind']} {r['file']}: these exact bytes were loaded before "
                "(same SHA-256); nothing changed")
    line = (f"loaded {r['kind']} {r['file']}: {r['rows_in']:,} rows in — "
            f"{r['inserted']:,} inserted, {r['updated']:,} updated, "
            f"{r['unchanged']:,} unchanged, {r['quarantined']:,} quarantined")
    if r["quarantined"]:
        line += " (see: twinimpact quarantine)"
    if r["ignored_columns"]:
        line += f"; ignored columns: {', '.join(r['ignored_columns'])}"
    return line


def map_args(args, db: Path) -> tuple[Mapping | None, str | None]:
    """--map and --save-map → (the mapping, the name to save it as); errors before any work."""
    from etl import mapping as mapping_mod

    value, save_map = getattr(args, "map", None), getattr(args, "save_map", None)
    if save_map and not value:
        raise UsageError("--save-map needs --map FILE.toml (the mapping to save)")
    if not value:
        return None, None
    transform = mapping_mod.resolve(value, args.kind, db)
    if save_map:
        mapping_mod.check_name(save_map)
        transform = dataclasses.replace(transform, name=save_map)
    return transform, save_map


def cmd_load(args) -> int:
    """CLI handler: load the files, print one line (or JSON object) per file."""
    db = config.db_path(args.db)
    covers = parse_covers(args.covers, args.kind) if getattr(args, "covers", None) else None
    transform, save_map = map_args(args, db)
    results = load_paths(db, args.kind, [Path(f) for f in args.files],
                         encoding=args.encoding, decimal=args.decimal, currency=args.currency,
                         progress=progress.wanted(args.json), covers=covers,
                         transform=transform, save_map=save_map)
    for r in results:
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        if r["status"] == "rejected":
            print(f"error: {r['file']}: {r['error']}", file=sys.stderr, flush=True)
        elif not args.json:
            print(summary_line(r), flush=True)
    if save_map and not args.json:
        saved = any(r["status"] != "rejected" for r in results)
        print(f"saved mapping {save_map} for {args.kind}; reuse it with --map {save_map}"
              if saved else f"mapping {save_map} not saved: no file loaded with it",
              flush=True)
    return 1 if any(r["status"] == "rejected" for r in results) else 0
