"""File-level checks before any row is read: format, bytes, encoding, header.

Everything here looks at the file as bytes; a problem is a `FileProblem` whose message is the
text after `error: <file>: ` (what is wrong; what to do). No DuckDB here.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK = 1 << 20  # hash and transcode in 1 MB chunks: constant memory for any file size
SUPPORTED = ".csv, .tsv, .csv.gz, .tsv.gz, .parquet, .jsonl, .ndjson, .xlsx"


class FileProblem(Exception):
    """The whole file is rejected; the message says what is wrong and what to do."""


@dataclass
class SourceFile:
    path: Path
    format: str                      # csv | parquet | jsonl | xlsx
    compression: str | None = None   # gzip for .csv.gz / .tsv.gz
    delimiter: str = ","
    encoding: str | None = None      # None or utf-8: read as is; else transcoded first
    sha256: str | None = None
    size: int = 0
    header: list[str] = field(default_factory=list)  # names as given (CSV: parsed here)
    # False when the bytes hold no space and no non-ASCII byte: then no value can start or
    # end with whitespace and the loader leaves out its per-value trim guard
    may_need_trim: bool = True
    # the number of the last non-blank line (None when not counted: gzip, UTF-16/32)
    lines: int | None = None
    # columns whose values cannot be single values (Parquet lists, structs, maps): name → type
    nested: dict[str, str] = field(default_factory=dict)


def detect_format(path: Path) -> tuple[str, str | None, str]:
    """(format, compression, default delimiter) from the file name, or FileProblem."""
    name = path.name.lower()
    table = {
        ".csv": ("csv", None, ","), ".tsv": ("csv", None, "\t"),
        ".csv.gz": ("csv", "gzip", ","), ".tsv.gz": ("csv", "gzip", "\t"),
        ".parquet": ("parquet", None, ","), ".jsonl": ("jsonl", None, ","),
        ".ndjson": ("jsonl", None, ","), ".xlsx": ("xlsx", None, ","),
    }
    for ext in sorted(table, key=len, reverse=True):
        if name.endswith(ext):
            return table[ext]
    suffix = "".join(path.suffixes[-2:]) or "(none)"
    raise FileProblem(f"unsupported file type {suffix}; use one of {SUPPORTED}")


class LineCounter:
    """Counts a text's lines up to the last one holding more than line breaks, chunk by chunk
    (numpy scans each chunk at C speed): a CSV whose lines are each one record has exactly that
    many records plus its header."""

    def __init__(self) -> None:
        self.newlines = 0
        self.trailing = 0  # line breaks after the last other byte

    def feed(self, chunk: bytes) -> None:
        # numpy counts about 4x faster than bytes.count and releases the GIL (so the SHA-256
        # thread of hash_and_scan runs meanwhile)
        n = int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))
        self.newlines += n
        if chunk[-1:] not in (b"\n", b"\r"):  # the usual case, without copying the chunk
            self.trailing = 0
            return
        body = chunk.rstrip(b"\r\n")
        self.trailing = self.trailing + n if not body else chunk[len(body):].count(b"\n")

    @property
    def last_line(self) -> int:
        return self.newlines - self.trailing + 1


def hash_and_scan(path: Path, check_text: bool) -> tuple[str, int, bool, bool, int | None]:
    """SHA-256 of the bytes as given, their size, whether a NUL byte occurs, whether a space
    or a non-ASCII byte does, and (text) the number of the last non-blank line; the scans are
    C-speed passes over each chunk."""
    digest = hashlib.sha256()
    size = 0
    nul = False
    spaces = not check_text
    lines = LineCounter()
    # hashlib releases the GIL, the byte scans do not: hashing each chunk in a second thread
    # while this one scans it halves the wall time (about 0.7 s instead of 1.4 s for 800 MB)
    with open(path, "rb") as fh, ThreadPoolExecutor(1, "twinimpact-sha") as hasher:
        pending = None
        while chunk := fh.read(CHUNK):
            if pending is not None:
                pending.result()
            pending = hasher.submit(digest.update, chunk)
            size += len(chunk)
            if check_text:
                lines.feed(chunk)
                if not nul and b"\x00" in chunk:
                    nul = True
            if not spaces and (b" " in chunk or not chunk.isascii()):
                spaces = True
        if pending is not None:
            pending.result()
    return digest.hexdigest(), size, nul, spaces, lines.last_line if check_text else None


def normalise_encoding(encoding: str | None) -> str | None:
    """None for UTF-8 (DuckDB reads it directly), else Python's canonical codec name."""
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise FileProblem(f"unknown encoding {encoding!r}; pass a Python codec name such as "
                          "latin-1, cp1252 or utf-16") from exc
    return None if name in ("utf-8", "utf-8-sig") else name


def _open_text_bytes(sf: SourceFile):
    return gzip.open(sf.path, "rb") if sf.compression == "gzip" else open(sf.path, "rb")


def read_csv_header(sf: SourceFile) -> None:
    """Parse the header line, detect `;`/tab delimiters, refuse binary or non-UTF-8 text."""
    try:
        with _open_text_bytes(sf) as fh:
            head = fh.read(CHUNK)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FileProblem(f"cannot read the compressed file ({exc}); "
                          "check it is a complete gzip file") from exc
    utf16_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if sf.encoding is None:
        if utf16_bom:
            raise FileProblem("the file is UTF-16 text, not UTF-8; pass --encoding utf-16")
        if b"\x00" in head:
            raise FileProblem("the file contains NUL bytes (binary data, not CSV text); "
                              "export it as CSV text")
    enc = sf.encoding or "utf-8-sig"
    decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    try:
        text = decoder.decode(head, final=len(head) < CHUNK)
    except UnicodeDecodeError as exc:
        line = head[:exc.start].count(b"\n") + 1
        if sf.encoding is None:
            raise FileProblem(f"line {line}: the file is not UTF-8 text; "
                              "pass --encoding, e.g. --encoding latin-1") from exc
        raise FileProblem(f"the file is not valid {sf.encoding} text; "
                          "check the --encoding value") from exc
    text = text.lstrip("\ufeff")
    first = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]  # \r alone: old Mac line endings
    if not first.strip():
        raise FileProblem("the file has no header line; the first line must name the "
                          "columns (see CONTRACT §1)")
    if re.fullmatch(r"(?i)sep=.?", first.strip()):
        raise FileProblem(f"line 1 is Excel's delimiter hint {first.strip()!r}, not the header; "
                          "remove that line so the column names are line 1, then load again")
    if sf.delimiter == ",":  # .tsv forces tab; for .csv pick what the header uses most
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] > counts[","]:
            sf.delimiter = best
    if first.count('"') % 2:  # a quote opened on line 1 is not closed on it
        try:
            record = next(csv.reader(io.StringIO(text), delimiter=sf.delimiter, strict=True))
        except csv.Error:
            record = []  # the quote runs to the end of what was read: never closed
        broken = next((c for c in record if ("\n" in c or "\r" in c) and len(c) <= 200), None)
        if broken is not None:
            raise FileProblem(f"line 1: the header's column name {broken!r} holds a line "
                              "break; put every column name on the first line and save again")
        raise FileProblem("line 1: the header has a quote that is never closed; "
                          "fix the quotes in the header line and save again")
    sf.header = next(csv.reader(io.StringIO(first), delimiter=sf.delimiter))


def transcode_to_utf8(sf: SourceFile, target: Path) -> None:
    """Rewrite a non-UTF-8 text file as UTF-8 in 1 MB chunks so DuckDB can read it."""
    decoder = codecs.getincrementaldecoder(sf.encoding)(errors="strict")
    lines = LineCounter()
    try:
        with _open_text_bytes(sf) as src, open(target, "wb") as out:
            while chunk := src.read(CHUNK):
                data = decoder.decode(chunk).encode("utf-8")
                lines.feed(data)
                out.write(data)
            data = decoder.decode(b"", final=True).encode("utf-8")
            lines.feed(data)
            out.write(data)
    except UnicodeDecodeError as exc:
        raise FileProblem(f"the file is not valid {sf.encoding} text (byte {exc.start} of a "
                          "chunk); check the --encoding value") from exc
    sf.path, sf.compression, sf.encoding = target, None, None
    sf.lines = lines.last_line


def _format_and_encoding(path: Path, encoding: str | None):
    """(format, compression, delimiter, encoding, problem): what inspect needs to scan."""
    try:
        fmt, compression, delimiter = detect_format(path)
        enc = normalise_encoding(encoding) if fmt == "csv" else None
        return fmt, compression, delimiter, enc, None
    except FileProblem as exc:
        return None, None, ",", None, exc


def _scan(path: Path, fmt: str | None, compression: str | None, enc: str | None):
    wide = enc is not None and enc.startswith(("utf-16", "utf-32"))
    sha, size, nul, spaces, lines = hash_and_scan(
        path, check_text=fmt == "csv" and not compression and not wide)
    if fmt == "csv" and compression == "gzip" and not wide:
        lines = _gzip_lines(path)  # line numbers need the text's lines, not the bytes'
    return sha, size, nul, spaces, lines


def _gzip_lines(path: Path) -> int | None:
    """The last non-blank line of a gzip file's text; None if it does not decompress."""
    counter = LineCounter()
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                counter.feed(chunk)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None  # read_csv_header gives the user the reason
    return counter.last_line


def prescan(path: Path, encoding: str | None):
    """inspect's byte scan, run ahead (in a thread) while the warehouse is being prepared;
    None when the file cannot be read (inspect then says why)."""
    try:
        if not path.is_file():
            return None
        fmt, compression, _, enc, _ = _format_and_encoding(path, encoding)
        return _scan(path, fmt, compression, enc)
    except (OSError, FileProblem):
        return None


def inspect(path: Path, encoding: str | None, scanned=None) -> SourceFile:
    """Format, SHA-256 and (for text) header of `path`; FileProblem if it cannot be loaded.

    `scanned` is a Future of prescan(path, encoding) started earlier, if any.
    """
    if not path.exists():
        raise FileProblem("file not found; check the path")
    if path.is_dir():
        raise FileProblem("is a folder, not a file; name the files to load")
    if not path.is_file():  # a pipe or device would be read forever or not at all
        raise FileProblem("is not a regular file (a pipe, socket or device); "
                          "save the data to a file and load that")
    fmt, compression, delimiter, enc, problem = _format_and_encoding(path, encoding)
    result = scanned.result() if scanned is not None else None
    try:
        sha, size, nul, spaces, lines = result or _scan(path, fmt, compression, enc)
    except OSError as exc:
        raise FileProblem(f"cannot read the file ({exc.strerror}); check its permissions") from exc
    if problem is not None:
        problem.sha256 = sha  # the attempt is still recorded with the bytes' hash
        raise problem
    sf = SourceFile(path, fmt, compression, delimiter, enc, sha, size)
    sf.may_need_trim = spaces or enc is not None  # transcoded text is not scanned
    sf.lines = lines if enc is None else None      # transcode_to_utf8 counts its own
    try:
        if size == 0:
            raise FileProblem("the file is empty (0 bytes); export it again with a header line")
        if fmt == "csv":
            if nul:
                with path.open("rb") as fh:
                    head = fh.read(4)
                if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise FileProblem("the file is UTF-16 text, not UTF-8; "
                                      "pass --encoding utf-16")
                raise FileProblem("the file contains NUL bytes (binary data, not CSV text); "
                                  "export it as CSV text")
            read_csv_header(sf)
    except FileProblem as exc:
        exc.sha256 = sha  # the attempt is still recorded with the bytes' hash
        raise
    return sf
