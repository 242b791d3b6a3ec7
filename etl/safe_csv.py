"""CSV for spreadsheets: formula cells neutralised, files written atomically.

A text cell starting with = + - @ (or a tab / carriage return that hides one) is run as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"). Our CSVs carry values that
users' source files supplied, so every text cell that starts like that gets a leading `'`,
which spreadsheets show as text. Used by `twinimpact quarantine --out` and the dashboard's
downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_value(value: object) -> object:
    """`'`-prefix one text value a spreadsheet would run as a formula; others as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names cannot start a formula."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.cat.rename_categories(
                [neutralise_value(c) for c in s.cat.categories])
        elif pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            out[col] = s.map(neutralise_value, na_action="ignore")
    out.columns = [neutralise_value(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Neutralised CSV as UTF-8 bytes (for download buttons)."""
    return neutralise(df).to_csv(index=False).encode("utf-8")


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write `df` as a neutralised CSV to `path` all at once: temp file, then os.replace."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            neutralise(df).to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
