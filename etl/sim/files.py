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


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(days, np.int32), pa.date32(), mask=missing)
    return arr


def write(path: Path, columns: list[str], n: int, batch: Callable[[int, int], list[pa.Array]]
          ) -> int:
    """Write `n` rows; `batch(lo, hi)` returns the column arrays of rows lo..hi-1."""
    schema = None
    opts = pacsv.WriteOptions(include_header=True, quoting_style="none")
    tmp = path.with_name(path.name + ".part")
    writer = None
    try:
        for lo in range(0, max(n, 1), CHUNK):
            hi = min(n, lo + CHUNK)
            arrays = batch(lo, hi)
            table = pa.Table.from_arrays(arrays, names=columns)
            if writer is None:
                schema = table.schema
                writer = pacsv.CSVWriter(str(tmp), schema, write_options=opts)
            writer.write_table(table.cast(schema))
        writer.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n
