"""Readers: land a source file, whatever its format, in one temp table of VARCHAR columns.

Every reader creates `temp._src` with positional columns c0..cN (the file's columns in order)
and returns the header names as given plus the SQL expression that gives a row's line
(CSV/TSV/XLSX: file line, header = 1; JSONL: file line; Parquet: row number from 1).
Column names from files never enter SQL text: columns are renamed positionally.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from etl.sources.files import FileProblem, SourceFile

SRC = "_src"


def _cols(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists temp.{SRC}")


def read_csv(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> tuple[list[str], str]:
    """CSV/TSV (gzip too) through DuckDB's parallel reader; the line is rowid + 2."""
    names = _cols(len(sf.header))
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
    _drop(con)
    # auto_detect off: the header was parsed in Python; skip=1 drops it (BOM included).
    # Insertion order is preserved, so rowid k is data row k (line k + 2).
    con.execute(
        f"create temp table {SRC} as select * from read_csv(?, delim = ?, quote = '\"', "  # noqa: S608
        f"escape = '\"', header = false, skip = 1, auto_detect = false, "
        f"compression = ?, columns = {columns})",
        [str(sf.path), sf.delimiter, sf.compression or "none"],
    )
    return sf.header, "rowid + 2"


# Large files are read in 64 MB buffers: with file order preserved (lines are rowid + 2),
# every buffer boundary leaves a partial row group that DuckDB merges at the end, and fewer
# boundaries measured ~10% faster on 10 million rows. Small files keep DuckDB's default.
LARGE_CSV_BYTES = 256 * 2**20
LARGE_CSV_BUFFER = 64 * 2**20


def csv_source(sf: SourceFile) -> tuple[str, dict]:
    """The read_csv(...) call (and its bound values) that yields c0..cN as text, no header."""
    names = _cols(len(sf.header))
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
    params = {"csv_path": str(sf.path), "csv_delim": sf.delimiter,
              "csv_compression": sf.compression or "none"}
    buffer = ""
    if sf.size > LARGE_CSV_BYTES:
        buffer = "buffer_size = $csv_buffer, "
        params["csv_buffer"] = LARGE_CSV_BUFFER
    sql = ("read_csv($csv_path, delim = $csv_delim, quote = '\"', escape = '\"', "
           "header = false, skip = 1, auto_detect = false, compression = $csv_compression, "
           f"{buffer}columns = {columns})")
    return sql, params


def record_lines(sf: SourceFile):
    """The line each data record of a CSV starts on, as Python's csv module reads it (same
    quoting rules as DuckDB's reader): for the rare file whose records are not one per line
    (blank lines, values holding line breaks), as an int64 array (8 bytes a row: a Python
    list of ten million ints would take ~360 MB). None if Python's parser cannot read it.

    An uncompressed file whose quotes are all well-formed is scanned as bytes (numpy, about
    ten times faster than the csv module); any other file is parsed by the csv module."""
    if sf.compression is None:
        starts = _record_lines_by_bytes(sf.path, sf.delimiter)
        if starts is not None:
            return starts
    return _record_lines_by_csv(sf)


_SCAN = 16 * 2**20  # bytes compared at a time (the comparison makes a bool per byte)


def _record_lines_by_bytes(path, delimiter: str):
    """record_lines where the csv module's answer follows from the bytes alone, else None.

    That is when the text is UTF-8, every line break is \n or \r\n and every quote is
    well-formed: one that opens a value starts it (after a delimiter, a line break or the
    file's start) and one that closes it ends it (before a delimiter, a line break or the
    end), "" inside a quoted value counting as one of each. Then a line break ends a record
    exactly when an even number of quotes comes before it, a record holding no byte (or only
    the \r of \r\n) is a blank line, skipped, and a record's line is one more than the line
    breaks before it: what the csv module counts."""
    import mmap

    import numpy as np

    if len(delimiter.encode()) != 1:
        return None
    with open(path, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if not _utf8(mm):
                return None
            # the array views the mapping: it must be gone before the mapping closes
            starts = _record_starts(np.frombuffer(mm, np.uint8), delimiter.encode()[0])
    return None if starts is None else starts[1:]  # the header is the first record


def _record_starts(data, delim: int):
    """The first line of each non-blank record of `data` (see _record_lines_by_bytes)."""
    import numpy as np

    size = len(data)
    first = 3 if bytes(data[:3]) == b"\xef\xbb\xbf" else 0  # a BOM is no character
    found: dict[int, list] = {10: [], 34: [], 13: []}  # \n, ", \r
    for at in range(first, size, _SCAN):
        part = data[at:at + _SCAN]
        for byte, where in found.items():
            where.append(np.flatnonzero(part == byte) + at)
    nl, q, cr = (np.concatenate(found[b]) if found[b] else np.zeros(0, np.int64)
                 for b in (10, 34, 13))
    if len(cr) and (cr[-1] == size - 1 or (data[cr + 1] != 10).any()):
        return None  # a \r alone ends a line too
    if len(q) % 2:
        return None  # a quote never closed
    opens, closes = q[0::2], q[1::2]
    before = data[np.maximum(opens - 1, 0)]
    if not ((opens == first) | (before == delim) | (before == 10) | (before == 34)).all():
        return None  # a quote inside an unquoted value is a character
    after = data[np.minimum(closes + 1, size - 1)]
    if not ((closes == size - 1) | (after == delim) | (after == 10) | (after == 13)
            | (after == 34)).all():
        return None  # text after a closing quote
    ends = np.flatnonzero(np.searchsorted(q, nl) % 2 == 0)  # the line breaks ending records
    begin = np.concatenate(([first], nl[ends] + 1))
    stop = np.concatenate((nl[ends], [size]))
    blank = (stop == begin) | ((stop == begin + 1) & (data[np.maximum(stop - 1, 0)] == 13))
    lines = np.concatenate(([1], ends + 2))  # the line each record starts on
    return np.ascontiguousarray(lines[~blank], dtype=np.int64)


def _utf8(mm) -> bool:
    """Whether the bytes are UTF-8 (1 MB at a time; a chunk of ASCII costs one C scan)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for at in range(0, len(mm), 2**20):
            chunk = mm[at:at + 2**20]
            if not chunk.isascii() or decoder.buffer:
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _record_lines_by_csv(sf: SourceFile):
    """record_lines by Python's csv module (any file it can read)."""
    import csv
    import gzip
    from array import array

    opener = gzip.open if sf.compression == "gzip" else open
    starts = array("q")
    csv.field_size_limit(2**31 - 1)  # a long value is data, not a reason to give up
    try:
        with opener(sf.path, "rt", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=sf.delimiter)
            before = 0
            for record in reader:
                if record:  # a blank line is no record (DuckDB skips it too)
                    starts.append(before + 1)
                before = reader.line_num
    except (csv.Error, UnicodeDecodeError, OSError):
        return None
    return starts[1:]  # the header is the first record


def is_content_error(exc: Exception) -> bool:
    """Whether a DuckDB error is about the file's content (reject it) rather than a bug."""
    text = str(exc)
    return isinstance(exc, duckdb.InvalidInputException | duckdb.IOException) and (
        "CSV Error" in text or "unicode" in text.lower() or "csv" in text.lower()
        or "parquet" in text.lower() or "json" in text.lower())


def read_parquet(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> tuple[list[str], str]:
    """Parquet: native types cast to text; the line is the row number from 1."""
    try:
        described = con.execute(
            "select column_name, column_type from (describe select * from read_parquet(?))",
            [str(sf.path)]).fetchall()
    except duckdb.Error as exc:
        raise FileProblem(f"not a readable Parquet file ({_first_line(exc)}); "
                          "export it again") from exc
    header = [name for name, _ in described]
    sf.nested = {name: t for name, t in described
                 if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION"))}
    names = _cols(len(header))
    _drop(con)
    con.execute(
        f"create temp table {SRC} as select * from (select cast(columns(* exclude "  # noqa: S608
        f"(file_row_number)) as varchar), file_row_number + 1 "
        f"from read_parquet(?, file_row_number = true)) as t({', '.join(names)}, _line)",
        [str(sf.path)],
    )
    return header, "_line"


def read_jsonl(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> tuple[list[str], str]:
    """JSON lines: one object per line; keys are the columns (first-seen order)."""
    _drop(con)
    try:
        con.execute("create or replace temp table _json as "
                    "select json from read_ndjson_objects(?)", [str(sf.path)])
        header = [r[0] for r in con.execute(
            "select k from (select unnest(json_keys(json)) as k, rowid as r from _json "
            "where json_type(json) = 'OBJECT') group by k order by min(r), k").fetchall()]
        first = None if header else con.execute(
            "select rowid + 1, json_type(json) from _json where json_type(json) <> 'OBJECT' "
            "order by rowid limit 1").fetchone()
    except duckdb.Error as exc:
        raise FileProblem(f"not readable as JSON lines ({_first_line(exc)}); "
                          "each line must be one JSON object") from exc
    if first is not None:
        what = {"VARCHAR": "string", "BIGINT": "number", "UBIGINT": "number",
                "DOUBLE": "number", "BOOLEAN": "true/false", "NULL": "null"}.get(
                    first[1], first[1].lower())
        raise FileProblem(f"line {first[0]} is a JSON {what}, and no line is an "
                          "object; save it as one JSON object per line, its keys the column names")
    names = _cols(len(header))
    picks = ", ".join(f"json ->> ${i + 1} as {c}" for i, c in enumerate(names))
    paths = ['$."' + k.replace('"', '\\"') + '"' for k in header]
    # the keys whose value is a list or object: such a value is no single contract value
    nested = ("list_filter(json_keys(json), lambda k: json_type(json, '$.\"' || replace(k, '\"', "
              "'\\\"') || '\"') in ('ARRAY', 'OBJECT')) as _nested")
    con.execute(
        f"create temp table {SRC} as select rowid + 1 as _line"  # noqa: S608
        f"{', ' if picks else ''}{picks}, {nested} from _json",
        paths,
    )
    con.execute("drop table _json")
    return header, "_line"


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v)
    return text if text.strip() else None


def read_xlsx(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> tuple[list[str], str]:
    """First sheet via openpyxl (read-only); the line is the sheet's row number."""
    import openpyxl
    import pyarrow as pa

    try:
        wb = openpyxl.load_workbook(sf.path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many types for a bad file
        raise FileProblem(f"not a readable .xlsx workbook ({type(exc).__name__}); "
                          "save it again as Excel Workbook (.xlsx)") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None or all(_cell_text(v) is None for v in first):
            raise FileProblem("the first sheet has no header row; row 1 must name the columns")
        header = [_cell_text(v) or "" for v in first]
        while header and header[-1] == "":
            header.pop()
        n = len(header)
        cols: list[list[str | None]] = [[] for _ in range(n)]
        lines: list[int] = []
        # Reading cells is per row by nature (openpyxl); validation stays set-based in SQL.
        for line, row in enumerate(rows, start=2):
            texts = [_cell_text(v) for v in row[:n]]
            if all(t is None for t in texts):
                continue  # blank rows (formatting leftovers) are not data
            texts += [None] * (n - len(texts))
            for i, t in enumerate(texts):
                cols[i].append(t)
            lines.append(line)
    finally:
        wb.close()
    names = _cols(n)
    table = pa.table({"_line": pa.array(lines, pa.int64()),
                      **{c: pa.array(v, pa.string()) for c, v in zip(names, cols, strict=True)}})
    _drop(con)
    con.register("_xlsx_arrow", table)
    try:
        con.execute(f"create temp table {SRC} as select * from _xlsx_arrow")  # noqa: S608
    finally:
        con.unregister("_xlsx_arrow")
    return header, "_line"


def xlsx_header_hint(path, required: tuple[str, ...], rows: int = 20) -> str:
    """Where in the workbook a header with all `required` columns is, as advice ('' if
    nowhere in the first `rows` rows of any sheet): for a title above the header, or the
    data on another sheet than the first."""
    import openpyxl

    want = set(required)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — the caller already read it once; no hint then
        return ""
    try:
        for s, ws in enumerate(wb.worksheets):
            for r, row in enumerate(ws.iter_rows(max_row=rows, values_only=True), start=1):
                names = {(_cell_text(v) or "").strip().lower() for v in row}
                if not want <= names:
                    continue
                if s == 0:
                    return (f"; row {r} of the first sheet has them: delete the rows above "
                            "it so the header is row 1")
                return (f"; sheet {ws.title!r} has them (row {r}): move that sheet first, "
                        "the loader reads the first sheet" + ("" if r == 1 else
                                                              ", with the header in row 1"))
    finally:
        wb.close()
    return ""


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).strip().splitlines()[0].split())[:200]


READERS = {"csv": read_csv, "parquet": read_parquet, "jsonl": read_jsonl, "xlsx": read_xlsx}


def land(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> tuple[list[str], str]:
    """Create temp._src from `sf`; return (header as given, line expression)."""
    return READERS[sf.format](con, sf)
