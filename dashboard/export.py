"""Downloads: exactly the data displayed, as CSV a spreadsheet cannot execute."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is read as a formula by Excel/LibreOffice/Sheets (OWASP
# "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that would start a formula with an apostrophe; numbers stay numbers."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[col] = series.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `df` with formulas neutralised, no index."""
    return neutralise(df).to_csv(index=False).encode("utf-8")


def label(df: pd.DataFrame, what: str = "data") -> str:
    n = len(df)
    return f"Download {what} as CSV ({n:,} row{'s' if n != 1 else ''})"
