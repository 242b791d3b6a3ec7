"""`twinimpact report`: one brand's workforce impact as a single self-contained HTML file."""

from __future__ import annotations

import html
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from dashboard import figures, filters, labels, public, queries
from dashboard.audience import Audience, from_config
from dashboard.disclosure import governed
from dashboard.filters import Filters
from dashboard.keynumbers import BEFORE_AFTER, KEY_QUERIES, numbers_from, turnover  # noqa: F401
from dashboard.rights import brand_scorecard_html
from dashboard.text import key_number, period_text
from etl import config
from etl.errors import UsageError, UserError
from etl.warehouse import reader

# the report's charts (dashboard.figures declarations), in order
CHARTS = ("displacement-share-by-channel", "displacement-shoot-days", "displacement-crew-by-role",
          "consent-monthly")
METHOD = [
    ("Twin share", "twin images ÷ (twin images + images delivered by shoots that were not "
                   "cancelled)."),
    ("Displaced shoot days (difference in differences)",
     "after the brand's first twin use, the shoot days expected from its own level in every "
     "observed month before it, moved by the trend of at least 3 brands that use no twins in "
     "the same channel, minus the shoot days it actually booked. Its 95% interval comes from "
     "the same comparison's errors before adoption, allowing for shocks that last several "
     "months; a year whose errors cannot be measured (fewer than 3 such months) or that has "
     "fewer than 3 such brands is not estimable. Where that comparison is missing the figure "
     "is not called a DiD: it is shown apart as a before/after shortfall."),
    ("Pre-trend test",
     "whether the brand's shoots already departed from the comparison in the 3 months before "
     "its first twin use (a joint test; a small p-value warns that the estimate may be "
     "biased, e.g. by shoots cut in anticipation)."),
    ("Upper bound", "twin images ÷ the brand-channel's images per shoot day before adoption: "
                    "what the twin images would have cost in shoot days if every one had "
                    "replaced shoot output."),
    ("Displaced crew days and income", "displaced shoot days × the brand's pre-twin crew days "
                                       "per shoot day for each role, at the role's median day "
                                       "rate."),
    ("Licensed", "a twin use covered by a licence valid on the day, for the channel and region, "
                 "and not revoked."),
]


# the views the report's figures are read from (its Sources section)
VIEWS = ("marts.displacement_monthly, marts.crew_impact_monthly, marts.consent_monthly, "
         "marts.displacement_estimates")


def key_numbers(db: queries.Source, f: Filters, aud: Audience, period: str | None = None,
                simulated: bool = False, currency: str = "EUR") -> pd.DataFrame:
    """metric, value, previous, kind (`pct`, `money`, `num`) for one selection and the period
    before it, from frames disclosed for `aud` (a suppressed figure is blank); with
    `period`, each one's summary sentence (keynumbers.numbers_from)."""
    return numbers_from(*(governed(db, name, f, aud=aud) for name in KEY_QUERIES),
                        period=period, simulated=simulated, currency=currency)


def reporting_year(months: tuple[str, ...]) -> int | None:
    """The last calendar year the data covers from January to December, or None."""
    if not months:
        return None
    first, last = months[0], months[-1]
    year = int(last[:4]) if last.endswith("-12") else int(last[:4]) - 1
    return year if first <= f"{year}-01" else None


def selection(db: Path, brand: str, from_month: str | None, to_month: str | None,
              year: int | None = None) -> Filters:
    """Validate the brand and period against the warehouse; UserError names what is wrong.

    No period given: the last complete calendar year in the data (compared with the year
    before); a warehouse without one whole year reports its whole range."""
    if not queries.warehouse_ready(db):
        raise UserError(f"no published warehouse at {db}; run `twinimpact demo` or load data "
                        "first (`make run`)")
    known = queries.known_values(db)
    if brand not in known.brands:
        shown = ", ".join(known.brands[:10]) + (" …" if len(known.brands) > 10 else "")
        raise UserError(f"unknown brand {brand!r} in {db}; known brands: {shown or 'none'}")
    if year is not None and (from_month or to_month):
        raise UsageError("give either --year or --from/--to, not both")
    for name, value in (("--from", from_month), ("--to", to_month)):
        if value is not None and not filters.valid_month(value):
            raise UserError(f"{name} {value!r} is not a month; give it as YYYY-MM, e.g. 2025-01")
    if from_month and to_month and from_month > to_month:
        raise UserError(f"--from {from_month} is after --to {to_month}; swap them")
    if year is None and not (from_month or to_month):
        year = reporting_year(known.months)
    if year is not None:
        span = f"{known.months[0]} to {known.months[-1]}" if known.months else "no months"
        if not any(m.startswith(f"{year}-") for m in known.months):
            raise UserError(f"--year {year} is outside the data in {db} ({span})")
        from_month, to_month = f"{year}-01", f"{year}-12"
    return filters.resolve(Filters(from_month=from_month, to_month=to_month, brand=(brand,)),
                           known)


def _alternative(built: figures.Built) -> str:
    """A chart's summary sentence as its caption, and its rows as a table to open."""
    esc = html.escape
    table = labels.readable(built.shown).to_html(index=False, na_rep="–", border=0,
                                                 classes="data", escape=True)
    return (f"<figcaption>{esc(built.summary or '')}</figcaption>"
            f"<details><summary>Data table ({len(built.shown):,} rows)</summary>{table}"
            "</details>")


def _estimates_html(built: figures.Built) -> str:
    """The brand's displacement per calendar year with its 95% interval: the estimates
    table's declaration (figures: its rows' intervals in words, its sentence the pre-trend
    test), drawn as HTML."""
    head = ("<h2>Shoot days displaced, with a 95% interval</h2>\n<p>Difference in differences "
            "against brands that use no twins, per calendar year of the period, all channels; "
            "the upper bound is what the twin images would have cost in shoot days had every "
            "one replaced shoot output.</p>")
    if built.shown.empty:
        return head + "\n<p>No estimate: the brand used no twins in these years.</p>"
    esc = html.escape
    rows = "\n".join(
        f"<tr><td>{int(r['year'])}</td><td>{esc(r['estimate'])}</td>"
        f"<td class=num>{key_number(r['upper'], 'num')}</td>"
        f"<td>{esc(r['crew_days_estimate'])}</td>"
        f"<td class=num>{esc(_p(r.get('pretrend_p')))}</td>"
        f"<td class=num>{esc(_m(r.get('breakdown_m')))}</td></tr>"
        for r in built.shown.to_dict("records"))
    said = f"\n<p id=\"pretrend\">{esc(built.summary)}</p>" if built.summary else ""
    return (f"{head}\n<table id=\"displacement-estimates\"><tr><th>Year</th><th>Shoot days "
            "displaced (DiD)</th><th class=num>Upper bound</th><th>Crew days displaced</th>"
            "<th class=num>Pre-trend test p</th><th class=num>Breakdown M̄</th></tr>"
            f"\n{rows}\n</table>{said}\n<p>{esc(SENSITIVITY_WORDS)}</p>")


SENSITIVITY_WORDS = (
    "Pre-trend test p: a joint test that the 3 months before the first twin use show no "
    "effect (below 0.05: the shoots had already departed from the comparison, and the "
    "estimate may be biased). Breakdown M̄: how large a departure from parallel trends in "
    "every month after adoption, as a multiple of the largest departure seen before it, "
    "would make the year's 95% interval include 0 (relative magnitudes, after Rambachan and "
    "Roth); above 1, a violation as large as any seen before adoption would not overturn it.")


def _p(value) -> str:
    """A p-value as text; – when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _m(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.2f}"


def build_html(db: queries.Source, f: Filters, aud: Audience) -> str:
    """The report for the (single-brand) selection `f` as one HTML document, every figure
    disclosed for `aud` (dashboard.disclosure)."""
    brand = f.brand[0]
    k = aud.k
    currency = governed(db, "reporting_currency", aud=aud)
    known = governed(db, "known_values", aud=aud)
    prov = governed(db, "provenance", aud=aud).iloc[0]
    simulated = bool(prov["simulated"])
    # the periods as the findings name them: `2025 (data up to 2025-06 only)`, `2024`
    period = period_text(f, known)
    numbers = key_numbers(db, f, aud, period, simulated, currency)
    as_of = "no load yet" if pd.isna(prov["as_of"]) else f"{pd.Timestamp(prov['as_of']):%Y-%m-%d %H:%M %Z}"
    # every brand's files: a brand audience gets none (disclosure.RULES["loads"])
    loads = governed(db, "loads", aud=aud)
    loads = loads[loads["status"] != "rejected"]
    # the charts as declared (dashboard.figures), each with its text alternative: a sentence
    # and its data as a table; plotly.js is inlined once, in the first (no network needed)
    built = [figures.compose(db, figures.DECLARED[key], f, aud) for key in CHARTS]
    chart_html = "\n".join(
        f'<figure class="chart">{b.fig.to_html(full_html=False, include_plotlyjs=(i == 0))}'
        f'{_alternative(b)}</figure>' for i, b in enumerate(built))
    esc = html.escape
    prev = ""
    if f.start():
        a, b = filters.previous_period(f.start(), f.end())
        prev = period_text(Filters(from_month=f"{a:%Y-%m}", to_month=f"{b:%Y-%m}"), known)
    # the report's figures' sources: the marts, or the release tables that served them
    calls = [(name, f) for name in (*KEY_QUERIES, "displacement_estimates")] + \
        [call for b in CHARTS for call in figures.DECLARED[b].needs(f)]
    views = public.sourced(VIEWS, calls, public.serves(aud, public.release_k(db)))
    # each number with its summary sentence under it (keynumbers.sentence)
    rows = "\n".join(
        f"<tr><td>{esc(r.metric)}</td><td class=num>{esc(key_number(r.value, r.kind, currency))}</td>"
        f"<td class=num>{esc(key_number(r.previous, r.kind, currency))}</td></tr>\n"
        f'<tr class="said"><td colspan=3>{esc(r.sentence)}</td></tr>'
        for r in numbers.itertuples())
    estimates = _estimates_html(figures.compose(db, figures.DECLARED["displacement-estimates"],
                                                f, aud))
    moved = turnover(governed(db, "displacement_totals", f, aud=aud))
    moved_html = f'<p class="meta" id="brand-turnover">{esc(moved)}</p>' if moved else ""
    load_rows = "\n".join(
        f"<tr><td>{esc(str(r.kind))}</td><td>{esc(str(r.file))}</td>"
        f"<td>{esc(str(r.finished_at))[:19]}</td><td class=num>{r.rows_in:,}</td>"
        f"<td class=num>{r.quarantined:,}</td><td>{'yes' if r.simulated else 'no'}</td></tr>"
        for r in loads.itertuples())
    if aud.role == "brand":  # the loaded files are every brand's: none is named here
        provenance = (f"<p>Data as of {esc(as_of)}. The list of loaded files covers every "
                      "brand's data; it is kept by the warehouse's operator.</p>")
    else:
        provenance = f"""<p>Data as of {esc(as_of)}. The last column says which files came from
the simulated demo industry.</p>
<table><tr><th>Kind</th><th>File</th><th>Loaded</th><th class=num>Rows</th>
<th class=num>Quarantined</th><th>Simulated</th></tr>
{load_rows}
</table>"""
    method = "\n".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in METHOD)
    banner = ('<p class="sim"><strong>Simulated data.</strong> These figures come from the '
              'demo\'s simulated industry (<code>twinimpact demo</code>), not from real '
              'bookings or twin use.</p>') if simulated else ""
    hidden = (f"<p>Figures that count or sum fewer than {k} people are suppressed (–).</p>"
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
.chart {{ margin: 1.2em 0; break-inside: avoid; }}
figcaption {{ color: #333; font-size: .95em; }} details {{ font-size: .85em; }}
tr.said td {{ color: #444; font-size: .9em; padding-top: 0; }}
.meta {{ color: #444; }}
@page {{ size: A4; }}
@media print {{ body {{ margin: 0; max-width: none; }} h2 {{ break-after: avoid; }}
  tr {{ break-inside: avoid; }} }}
</style></head><body>
<h1>Workforce impact of digital twins: {esc(brand)}</h1>
<p class="meta">Period {esc(period)} · compared with
{esc(prev)} · data as of {esc(as_of)} · generated {generated} by Twin Impact</p>
{banner}
<h2>Key numbers</h2>
{hidden}
<table id="key-numbers"><tr><th>Measure</th><th class=num>This period</th>
<th class=num>Previous period</th></tr>
{rows}
</table>
{moved_html}
{estimates}
{brand_scorecard_html(db, f, aud)}
<h2>Charts</h2>
{chart_html}
<h2>Method</h2>
<p>Short definitions; METHODOLOGY.md in the Twin Impact project defines every term in full,
with the limits of each estimate.</p>
<dl>{method}</dl>
<h2>Provenance</h2>
{provenance}
<h2>Sources</h2>
<p>Bookings, booking crew, twins, licences and twin-usage exports as listed above; the
figures are read from {esc(views)}. Industry events: press reports listed in the project's
data/reference/industry_events.csv. Money in {esc(currency)} at European Central Bank reference
rates.</p>
</body></html>
"""


def cmd_report(args) -> int:
    """Write the report for --brand (and --year or --from/--to) to --out (.html or .pdf)."""
    db = config.db_path(args.db)
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".pdf"):
        raise UsageError(f"--out {out}: the file must end in .html or .pdf")
    f = selection(db, args.brand, args.from_month, args.to_month, getattr(args, "year", None))
    # a report is made to be published: small cells are suppressed unless TWINIMPACT_PUBLIC=0
    aud = from_config(default_public=True)
    with reader(db) as con:
        text = build_html(con, f, aud)
    if out.parent and not out.parent.exists():
        raise UserError(f"folder {out.parent} does not exist; create it or choose another --out")
    if kind == ".pdf":
        from dashboard import pdf
        data = pdf.html_to_pdf(text)
    else:
        data = text.encode("utf-8")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # never a half-written report
    from etl import audit
    audit.record(db, user=audit.cli_user(), role=aud.role,
                 action="report-export", object=f"brand {f.brand[0]} {f.from_month} to "
                 f"{f.to_month} → {out}")
    print(f"wrote {out} ({len(data) / 1e6:.1f} MB): brand {f.brand[0]}, "
          f"{f.from_month} to {f.to_month}")
    return 0
