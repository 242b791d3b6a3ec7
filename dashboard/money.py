"""Money in the warehouse's reporting currency (never a hard-coded €)."""

from __future__ import annotations

import math

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def prefix(currency: str) -> str:
    """What goes before an amount: `€`, `$`, `£`, or the ISO code and a space (`SEK 1,200`)."""
    return SYMBOLS.get(currency, f"{currency} ")


def fmt(x: float | None, currency: str, *, words: bool = False) -> str:
    """`€1,234` / `$1,234` / `SEK 1,234`; with words, `€1.2 million` from a million up."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a" if words else "–"
    if words and abs(x) >= 1e6:
        return f"{prefix(currency)}{x / 1e6:,.1f} million"
    return f"{prefix(currency)}{x:,.0f}"


def plotly_format(currency: str, axis: str = "y") -> str:
    """A plotly hover template for an amount on `axis`."""
    return prefix(currency) + "%{" + axis + ":,.0f}"
