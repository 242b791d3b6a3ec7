"""`twinimpact report`: one brand's workforce impact as a single self-contained HTML file."""

from __future__ import annotations

import html
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from dashboard import charts, filters, privacy, queries
from dashboard.filters import Filters
from etl import config
from etl.errors import UserError
from etl.warehouse import reader

METHOD = [
    ("Twin share", "twin images ÷ (twin images + images delivered by shoots that were not "
                   "cancelled)."),
    ("Displaced shoot days (difference in differences)",
     "after the brand's first twin use, the shoot days expected from its own level in the 12 "
     "months before, moved by the trend of brands that use no twins in the same channel, minus "
     "the shoot days it actually booked."),
    ("Upper bound", "twin images ÷ the brand-channel's images per shoot day before adoption: "
                    "what the twin images would have cost in shoot days if every one had "
                    "replaced shoot output."),
    ("Displaced crew days and income", "displaced shoot days × the brand's pre-twin crew days "
                                       "per shoot day for each role, at the role's median day "
                                       "rate."),
    ("Licensed", "a twin use covered by a licence valid on the day, for the channel and region, "
                 "and not revoked."),
]


def _fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "eur":
        return f"€{value:,.0f}"
    return f"{value:,.0f}"


def key_numbers(db: queries.Source, f: Filters, k: int | None) -> pd.DataFrame:
    """metric, value, previous, kind (`pct`, `eur`, `num`) for one selection and the period
    before it; crew figures blank when fewer than k people are behind them."""
    d, d0 = (r for _, r in queries.displacement_totals(db, f).iterrows())
    c, c0 = (r for _, r in queries.crew_totals(db, f).iterrows())
    n, n0 = (r for _, r in queries.consent_totals(db, f).iterrows())
    # no rows at all for the previous period: "–", not a misleading zero
    d0, c0, n0 = (r if r["cells"] else pd.Series(float("nan"), index=r.index)
                  for r in (d0, c0, n0))

    def crew_value(row, col):
        return None if k is not None and not row["people"] >= k else float(row[col])

    def licensed(row):
        return row["licensed_assets"] / row["twin_assets"] if row["twin_assets"] > 0 else None

    rows = [
        ("Twin share of images", d["twin_share"], d0["twin_share"], "pct"),
        ("Twin images", d["twin_assets"], d0["twin_assets"], "num"),
        ("Shoot days booked", d["shoot_days"], d0["shoot_days"], "num"),
        ("Shoot days displaced (difference in differences)", d["displaced_did"],
         d0["displaced_did"], "num"),
        ("Shoot days displaced (upper bound)", d["displaced_upper"], d0["displaced_upper"], "num"),
        ("Shoot days cancelled as 'replaced by twin'", d["cancelled_for_twin_days"],
         d0["cancelled_for_twin_days"], "num"),
        ("Crew days displaced", crew_value(c, "displaced_crew_days"),
         crew_value(c0, "displaced_crew_days"), "num"),
        ("Crew income displaced", crew_value(c, "displaced_crew_income"),
         crew_value(c0, "displaced_crew_income"), "eur"),
        ("Twin images under a valid licence", licensed(n), licensed(n0), "pct"),
        ("Twin images watermarked", n["watermarked_share"], n0["watermarked_share"], "pct"),
        ("Twin images disclosed as AI", n["disclosed_share"], n0["disclosed_share"], "pct"),
    ]
    out = pd.DataFrame(rows, columns=["metric", "value", "previous", "kind"])
    for col in ("value", "previous"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


def selection(db: Path, brand: str, from_month: str | None, to_month: str | None) -> Filters:
    """Validate the brand and period against the warehouse; UserError names what is wrong."""
    if not queries.warehouse_ready(db):
        raise UserError(f"no published warehouse at {db}; run `twinimpact demo` or load data "
                        "first (`make run`)")
    known = queries.known_values(db)
    if brand not in known.brands:
        shown = ", ".join(known.brands[:10]) + (" …" if len(known.brands) > 10 else "")
        raise UserError(f"unknown brand {brand!r} in {db}; known brands: {shown or 'none'}")
    for name, value in (("--from", from_month), ("--to", to_month)):
        if value is not None and not filters.valid_month(value):
            raise UserError(f"{name} {value!r} is not a month; give it as YYYY-MM, e.g. 2025-01")
    if from_month and to_month and from_month > to_month:
        raise UserError(f"--from {from_month} is after --to {to_month}; swap them")
    return filters.resolve(Filters(from_month=from_month, to_month=to_month, brand=(brand,)),
                           known)


def build_html(db: queries.Source, f: Filters, k: int | None) -> str:
    """The report for the (single-brand) selection `f` as one HTML document."""
    brand = f.brand[0]
    numbers = key_numbers(db, f, k)
    prov = queries.provenance(db).iloc[0]
    simulated = bool(prov["simulated"])
    as_of = "no load yet" if pd.isna(prov["as_of"]) else f"{pd.Timestamp(prov['as_of']):%Y-%m-%d %H:%M %Z}"
    loads = queries.loads(db)
    loads = loads[loads["status"] != "rejected"]
    events = queries.events()
    share = queries.twin_share_by_channel(db, f)
    expected = queries.shoot_days_vs_expected(db, f)
    crew = privacy.suppress(queries.crew_by_role(db, f),
                            {"people": ["crew_days", "crew_income", "displaced_crew_days",
                                        "displaced_crew_income"]}, k)
    consent = privacy.suppress(queries.consent_over_time(db, f),
                               {"people": ["twin_assets", "licensed_assets",
                                           "unlicensed_assets"]}, k)
    figs = [
        charts.twin_share_by_channel(share, events),
        charts.shoot_days_vs_expected(expected, events),
        charts.by_role_bars(crew, "displaced_crew_days", "Crew days displaced, by role",
                            "crew days"),
        charts.consent_over_time(consent, events),
    ]
    # plotly.js is inlined once, in the first chart; the others reuse it (no network needed).
    chart_html = "\n".join(
        f'<div class="chart">{fig.to_html(full_html=False, include_plotlyjs=(i == 0))}</div>'
        for i, fig in enumerate(figs))
    esc = html.escape
    prev = f"{filters.previous_period(f.start(), f.end())[0]:%Y-%m} to " \
           f"{filters.previous_period(f.start(), f.end())[1]:%Y-%m}" if f.start() else ""
    rows = "\n".join(
        f"<tr><td>{esc(r.metric)}</td><td class=num>{_fmt(r.value, r.kind)}</td>"
        f"<td class=num>{_fmt(r.previous, r.kind)}</td></tr>" for r in numbers.itertuples())
    load_rows = "\n".join(
        f"<tr><td>{esc(str(r.kind))}</td><td>{esc(str(r.file))}</td>"
        f"<td>{esc(str(r.finished_at))[:19]}</td><td class=num>{r.rows_in:,}</td>"
        f"<td class=num>{r.quarantined:,}</td><td>{'yes' if r.simulated else 'no'}</td></tr>"
        for r in loads.itertuples())
    method = "\n".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in METHOD)
    banner = ('<p class="sim"><strong>Simulated data.</strong> These figures come from the '
              'demo\'s simulated industry (<code>twinimpact demo</code>), not from real '
              'bookings or twin use.</p>') if simulated else ""
    public = (f"<p>Figures that count or sum fewer than {k} people are suppressed (–).</p>"
              if k is not None else "")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Workforce impact of digital twins: {esc(brand)}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto;
       color: #222; line-height: 1.45; padding: 0 1em; }}
h1 {{ font-size: 1.7em; margin-bottom: .2em; }} h2 {{ margin-top: 1.8em; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.sim {{ background: #fff3d6; border-left: 5px solid #E69F00; padding: .6em 1em; }}
.meta {{ color: #555; }} dt {{ font-weight: bold; margin-top: .6em; }}
.chart {{ margin: 1.2em 0; }}
</style></head><body>
<h1>Workforce impact of digital twins: {esc(brand)}</h1>
<p class="meta">Period {esc(f.from_month or '')} to {esc(f.to_month or '')} · compared with
{esc(prev)} · data as of {esc(as_of)} · generated {generated} by Twin Impact</p>
{banner}
<h2>Key numbers</h2>
{public}
<table id="key-numbers"><tr><th>Measure</th><th class=num>This period</th>
<th class=num>Previous period</th></tr>
{rows}
</table>
<h2>Charts</h2>
{chart_html}
<h2>Method</h2>
<p>Short definitions; METHODOLOGY.md in the Twin Impact project defines every term in full,
with the limits of each estimate.</p>
<dl>{method}</dl>
<h2>Provenance</h2>
<p>Data as of {esc(as_of)}. The last column says which files came from the simulated
demo industry.</p>
<table><tr><th>Kind</th><th>File</th><th>Loaded</th><th class=num>Rows</th>
<th class=num>Quarantined</th><th>Simulated</th></tr>
{load_rows}
</table>
<h2>Sources</h2>
<p>Bookings, booking crew, twins, licences and twin-usage exports as listed above, through
the published views marts.displacement_monthly, marts.crew_impact_monthly and
marts.consent_monthly. Industry events: press reports listed in the project's
data/reference/industry_events.csv. Money in EUR at European Central Bank reference rates.</p>
</body></html>
"""


def cmd_report(args) -> int:
    """Write the report for --brand (and --from/--to) to --out."""
    db = config.db_path(args.db)
    f = selection(db, args.brand, args.from_month, args.to_month)
    # a report is made to be published: small cells are suppressed unless TWINIMPACT_PUBLIC=0
    k = config.k_threshold() if config.public_mode(default=True) else None
    with reader(db) as con:
        text = build_html(con, f, k)
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist; create it or choose another --out")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)  # never a half-written report
    from etl import audit
    audit.record(db, user=audit.cli_user(), role="public" if k else "local",
                 action="report-export", object=f"brand {f.brand[0]} {f.from_month} to "
                 f"{f.to_month} → {out}")
    print(f"wrote {out} ({len(text.encode()) / 1e6:.1f} MB): brand {f.brand[0]}, "
          f"{f.from_month} to {f.to_month}")
    return 0



