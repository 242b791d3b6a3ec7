"""Filter state ⇄ URL query parameters, validated before any query sees a value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from etl.contracts import CHANNELS, ROLES

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
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
