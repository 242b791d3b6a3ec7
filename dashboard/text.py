"""Text for the page from values: free text from the data made plain (never Markdown), and a
key number written out. Low in the house: no Streamlit, no queries (sign-in, the report and
the pages all use it)."""

from __future__ import annotations

import math
import re

from dashboard import money
from dashboard.filters import LIST_KEYS, Filters, Known, period_name

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown links bare addresses (GFM autolink literals) after parsing, on the
# text itself, so escapes cannot stop it: an invisible WORD JOINER (U+2060) inside `://`
# and after `www` breaks the patterns and leaves the text as it reads; one after `@` keeps an
# e-mail address from becoming a mailto: link (a contact in the data is shown, not offered).
_AUTOLINK = re.compile(r"(?<=:)(?=\\/\\/)|(?<=www)(?=\\\.)|(?<=\\@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """Free text from the data (a brand id, a survey source) for a Markdown string: every
    ASCII punctuation mark backslash-escaped, so it renders as the same text and never as a
    link, an image, HTML or formatting; bare `http://` and `www.` addresses and e-mail
    addresses are broken by an invisible word joiner so they are not linked either."""
    return _AUTOLINK.sub(WORD_JOINER, _MD_SPECIAL.sub(r"\\\1", str(text)))


def key_number(value, kind: str, currency: str = "EUR") -> str:
    """A key number as text (`kind`: `pct`, `money` in the reporting currency, or `num`);
    – when hidden or missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "money":
        return money.fmt(value, currency)
    return f"{value:,.0f}"


def unapplied(f: Filters, follows: tuple[str, ...]) -> list[str]:
    """The active list filters a figure that follows only `follows` ignores."""
    return [k for k in LIST_KEYS if getattr(f, k) and k not in follows]


def unapplied_note(f: Filters, follows: tuple[str, ...]) -> str:
    """'the channel filter does not apply to this figure', or '' when every active filter does."""
    missing = unapplied(f, follows)
    if not missing:
        return ""
    names = " and ".join(missing)
    verb = "does" if len(missing) == 1 else "do"
    return f"the {names} filter{'s' if len(missing) > 1 else ''} {verb} not apply to this figure"


def period_label(f: Filters) -> str:
    return f"{f.from_month} to {f.to_month}" if f.from_month else "the whole period"


def period_text(f: Filters, known: Known) -> str:
    """The period for a sentence: its release name where it is one (`2025`, `2025-Q2`), else
    `2025-01 to 2025-06`, saying where the warehouse's months start later or stop earlier
    (`2025 (data up to 2025-06 only)`), so a partial year never reads as a whole one."""
    text = period_name(f.from_month, f.to_month) or period_label(f)
    if not (f.from_month and known.months):
        return text
    first, last = known.months[0], known.months[-1]
    gaps = [f"from {first}" if f.from_month < first <= (f.to_month or first) else "",
            f"up to {last}" if (f.to_month or last) > last >= f.from_month else ""]
    said = " and ".join(g for g in gaps if g)
    return f"{text} (data {said} only)" if said else text
