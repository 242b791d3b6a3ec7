"""Write the six source files with pyarrow: fixed formats, so the same seed gives the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

CHUNK = 1_000_000  # rows per written batch: bounds memory at the large scale


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'US000000042'-style ids from integers."""
    s = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, "")


def id_width(n: int) -> int:
    return max(6, len(str(n)))


def money(cents: np.ndarray) -> pa.Array:
    """Non-negative integer cents as '1234.50'."""
    cents = np.asarray(cents, np.int64)
    whole = pa.array(cents // 100, pa.int64()).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(cents % 100, pa.int64()).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def halfdays(h: np.ndarray) -> pa.Array:
    """Half-day counts as '1.5' / '2.0'."""
    h = np.asarray(h, np.int64)
    whole = pa.array(h // 2, pa.int64()).cast(pa.string())
    frac = pa.array(np.where(h % 2 == 1, "5", "0"))
    return pc.binary_join_element_wise(whole, frac, ".")


def cat(dictionary, index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Values picked from a small dictionary by index: far faster than building strings."""
    if not isinstance(dictionary, pa.Array):
        dictionary = pa.array(np.asarray(dictionary, dtype=str))
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, np.int32), mask=missing),
                                          dictionary)


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(days, np.int32), pa.date32(), mask=missing)
    return arr


def write(path: Path, columns: list[str], n: int, batch: Callable[[int, int], list[pa.Array]]
          ) -> int:
    """Write `n` rows; `batch(lo, hi)` returns the column arrays of rows lo..hi-1."""
    # the header is written by hand: pyarrow would quote the names
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as sink:
            sink.write((",".join(columns) + "\n").encode())
            writer = None
            for lo in range(0, n, CHUNK):
                table = pa.Table.from_arrays(batch(lo, min(n, lo + CHUNK)), names=columns)
                if writer is None:
                    writer = pacsv.CSVWriter(sink, table.schema, write_options=opts)
                writer.write_table(table)
            if writer is not None:
                writer.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n
