"""Downloads: exactly the data displayed, as CSV a spreadsheet cannot execute."""

from __future__ import annotations

import pandas as pd

from etl.safe_csv import neutralise, to_csv_bytes

__all__ = ["neutralise", "to_csv", "label"]


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `df` with formulas neutralised (etl.safe_csv, shared with the CLI), no index."""
    return to_csv_bytes(df)


def label(df: pd.DataFrame, what: str = "data") -> str:
    n = len(df)
    return f"Download {what} as CSV ({n:,} row{'s' if n != 1 else ''})"
