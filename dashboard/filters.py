"""Filter state ⇄ URL query parameters, validated before any query sees a value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from etl.contracts import CHANNELS, ROLES

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# a period of the public release: a calendar year, a quarter or a month
PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LIST_KEYS = ("brand", "region", "channel", "role")
KEYS = ("from", "to", *LIST_KEYS)
MAX_ITEMS = 50  # a URL listing more values than this is not a view anybody shares


@dataclass(frozen=True)
class Filters:
    """What the user asked to see; empty tuples mean "all"."""

    from_month: str | None = None   # YYYY-MM, inclusive
    to_month: str | None = None     # YYYY-MM, inclusive
    brand: tuple[str, ...] = field(default=())
    region: tuple[str, ...] = field(default=())
    channel: tuple[str, ...] = field(default=())
    role: tuple[str, ...] = field(default=())
    # the headline's comparison period (from, to months) when it is not the period of the
    # same length just before (public mode's "change against": a release period)
    against: tuple[str, str] | None = None

    def start(self) -> date | None:
        return month_start(self.from_month) if self.from_month else None

    def end(self) -> date | None:
        return month_start(self.to_month) if self.to_month else None


@dataclass(frozen=True)
class Known:
    """The values the warehouse holds, against which URL values are checked."""

    months: tuple[str, ...] = ()     # YYYY-MM, sorted
    brands: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


def month_start(ym: str) -> date:
    """`2025-03` → date(2025, 3, 1)."""
    y, m = ym.split("-")
    return date(int(y), int(m), 1)


def valid_month(value: str) -> bool:
    m = MONTH_RE.match(value)
    return bool(m) and 2000 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12


def split(raw: str | Sequence[str]) -> list[str]:
    parts = raw.split(",") if isinstance(raw, str) else [p for r in raw for p in r.split(",")]
    out: list[str] = []
    for p in (p.strip() for p in parts):
        if p and p not in out:
            out.append(p)
    return out


def parse(params: Mapping[str, str | Sequence[str]], known: Known) -> tuple[Filters, list[str]]:
    """Read query parameters into Filters; each bad value is dropped with a warning naming it."""
    warnings: list[str] = []
    values: dict[str, object] = {}
    for key in ("from", "to"):
        raw = params.get(key)
        if raw is None or raw == "":
            continue
        text = raw if isinstance(raw, str) else (raw[-1] if raw else "")
        text = text.strip()
        if not valid_month(text):
            warnings.append(f"Ignored {key}={text!r}: not a month in YYYY-MM form; "
                            f"showing the default period.")
            continue
        values[key] = text
    if "from" in values and "to" in values and values["from"] > values["to"]:
        warnings.append(f"Ignored from={values['from']!r} and to={values['to']!r}: the start is "
                        f"after the end; showing the default period.")
        values.pop("from")
        values.pop("to")
    allowed: dict[str, tuple[str, ...] | None] = {
        "brand": known.brands, "region": known.regions, "channel": CHANNELS, "role": ROLES,
    }
    for key in LIST_KEYS:
        raw = params.get(key)
        if not raw:
            continue
        good: list[str] = []
        for item in split(raw)[:MAX_ITEMS]:
            ok = item in allowed[key] if key != "region" else (
                bool(COUNTRY_RE.match(item)) and (not known.regions or item in known.regions))
            if ok:
                good.append(item)
            else:
                warnings.append(f"Ignored {key}={item!r}: not a known {key}; showing all "
                                f"{key}s instead." if not good else
                                f"Ignored {key}={item!r}: not a known {key}.")
        values[key] = tuple(good)
    f = Filters(
        from_month=values.get("from"), to_month=values.get("to"),
        brand=values.get("brand", ()), region=values.get("region", ()),
        channel=values.get("channel", ()), role=values.get("role", ()),
    )
    return f, warnings


def to_params(f: Filters) -> dict[str, str]:
    """The query parameters that reproduce `f` (defaults left out, lists comma-joined)."""
    out: dict[str, str] = {}
    if f.from_month:
        out["from"] = f.from_month
    if f.to_month:
        out["to"] = f.to_month
    for key in LIST_KEYS:
        items = getattr(f, key)
        if items:
            out[key] = ",".join(items)
    return out


def resolve(f: Filters, known: Known) -> Filters:
    """Fill an open period with the data's first/last month (clamped to what exists)."""
    if not known.months:
        return f
    lo, hi = known.months[0], known.months[-1]
    start = f.from_month or lo
    end = f.to_month or hi
    return replace(f, from_month=start, to_month=end)


def add_months(d: date, n: int) -> date:
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Inclusive count of months from start to end."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end] (months, inclusive)."""
    n = months_between(start, end)
    return add_months(start, -n), add_months(start, -1)


def describe(f: Filters) -> str:
    """One line saying what the view is filtered to, for captions and the report."""
    parts = []
    if f.from_month or f.to_month:
        parts.append(f"{f.from_month or '…'} to {f.to_month or '…'}")
    for key in LIST_KEYS:
        items = getattr(f, key)
        if items:
            parts.append(f"{key}: {', '.join(items)}")
    return "; ".join(parts) if parts else "all data"


# ---- public mode: the release's periods (a year, a quarter or a month) ----------------


def span(period: str) -> tuple[str, str] | None:
    """A release period's first and last month: `2025` → (2025-01, 2025-12), `2025-Q2` →
    (2025-04, 2025-06), `2025-04` → (2025-04, 2025-04); None when `period` names none."""
    m = PERIOD_RE.match(period)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        return None
    year, quarter, month = m.groups()
    if quarter:
        first = 3 * int(quarter) - 2
        return f"{year}-{first:02d}", f"{year}-{first + 2:02d}"
    if month:
        return (period, period) if valid_month(period) else None
    return f"{year}-01", f"{year}-12"


def period_name(from_month: str | None, to_month: str | None) -> str | None:
    """The release period that is exactly the months from_month..to_month, else None."""
    if not (from_month and to_month and valid_month(from_month) and valid_month(to_month)):
        return None
    year, first = from_month[:4], int(from_month[5:])
    candidates = (from_month, f"{year}-Q{(first + 2) // 3}", year)
    return next((p for p in candidates if span(p) == (from_month, to_month)), None)


def grain(period: str) -> str:
    """`year`, `quarter` or `month`: the kind of release period."""
    return "quarter" if "Q" in period else "month" if "-" in period else "year"


def before(period: str) -> str:
    """The period of the same grain just before: 2025 → 2024, 2025-Q1 → 2024-Q4, 2025-01 →
    2024-12."""
    first, last = span(period)
    a, b = previous_period(month_start(first), month_start(last))
    return period_name(f"{a:%Y-%m}", f"{b:%Y-%m}")


def default_period(periods: Sequence[str]) -> str | None:
    """What public pages open on: the latest calendar year the release's months cover from
    January to December (a journalist's annual figure, compared with the year before); with
    no whole year, the latest whole quarter, else the latest month."""
    months = sorted(p for p in periods if grain(p) == "month")
    if not months:
        return None
    for kind in ("year", "quarter"):
        whole = [p for p in periods if grain(p) == kind
                 and months[0] <= span(p)[0] and span(p)[1] <= months[-1]]
        if whole:
            return max(whole, key=lambda p: span(p)[0])
    return months[-1]


def pick_period(params: Mapping[str, str | Sequence[str]],
                periods: Sequence[str]) -> tuple[str | None, str | None, list[str]]:
    """The release period a public URL asks for (`period`, or `from`/`to` naming exactly one
    release period) and its comparison period (`vs`: another release period of the same
    grain; None = the one just before); each value that is neither is named in a warning
    and the default shown instead."""
    def value(key: str) -> str:
        raw = params.get(key) or ""
        return (raw if isinstance(raw, str) else (raw[-1] if raw else "")).strip()

    default, warnings = default_period(periods), []
    chosen: str | None = None
    asked, a, b = value("period"), value("from"), value("to")
    window = " and ".join(f"{k}={v!r}" for k, v in (("from", a), ("to", b)) if v)
    if asked:
        chosen = asked if asked in periods else None
        if chosen is None:
            warnings.append(f"Ignored period={asked!r}: not a period of the public release "
                            f"(a year, quarter or month it holds); showing {default}.")
        if window:
            warnings.append(f"Ignored {window}: the period parameter chooses the period.")
    elif window:
        chosen = period_name(a, b)
        if chosen not in periods:
            chosen = None
            warnings.append(f"Ignored {window}: public figures cover one period of the "
                            f"release (a whole year, quarter or month it holds); showing "
                            f"{default}.")
    chosen = chosen or default
    vs = value("vs") or None
    if vs is not None and chosen is not None and (
            vs not in periods or vs == chosen or grain(vs) != grain(chosen)):
        warnings.append(f"Ignored vs={vs!r}: not another {grain(chosen)} of the public "
                        f"release; comparing with {before(chosen)}.")
        vs = None
    return chosen, (None if vs == before(chosen or "") else vs), warnings
