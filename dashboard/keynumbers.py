"""The headline numbers, declared once like the charts (dashboard/figures.py): each names
the query it reads (a `dashboard.queries` name: the disclosure layer applies that query's
people rule to its frame, and public mode serves it from the release), how its value is read
from the query's row, how it is written, its summary sentence, its sources and the filters it
follows. Pages draw them through `ui.headlines` (one row of numbers, each with its sentence,
and one source line), the Brand report page's table and `twinimpact report` through
`numbers_from`; `turnover` says which brands entered or left between the two periods. No
Streamlit here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard import interval, privacy, public, trends
from dashboard.filters import Filters
from dashboard.text import key_number, unapplied, unapplied_note

# the marts behind the figures (their sources), shared with the charts' declarations
DISPLACEMENT = "bookings and twin-usage exports (marts.displacement_monthly)"
CONSENT = "twin-usage and licence exports (marts.consent_monthly)"
CREW = "booking-crew exports (marts.crew_impact_monthly)"
MODEL_INCOME = ("booking-crew (role model) and twin-usage exports "
                "(marts.model_income_monthly)")
ESTIMATES = "marts.displacement_estimates (all channels; ALL = every adopting brand together)"
LOADS = "meta.loads (every load attempt, rejected ones included)"
SURVEY = "the survey series chosen (marts.employment)"
# which filters each family of figures follows (its marts' columns): a figure says so of the
# others when they are set
SHOOTS = ("brand", "channel", "region")         # shoots and twin use have no role
CREW_FOLLOWS = ("brand", "region", "role")     # the crew mart has no channel
MODELS = ()                                    # model income is month × model: period only
CONSENT_FOLLOWS = ("brand", "region")          # the consent mart has no channel or role

BEFORE_AFTER = ("Shoot days below the pre-twin level (before/after: no difference in "
                "differences, fewer than 3 control brands)")


@dataclass(frozen=True)
class Headline:
    """One declared headline number. `query`: two rows, this period and the one it is
    compared with (`queries.*_totals`, read with the headline filters), or — `kind`
    "interval" — the yearly estimates (read with the page's filters: the headline year's
    estimate with its 95% interval, `interval.for_year`). `read`: the number from a row.
    `kind`: `pct` (its change in points), `num`, `money` or `interval`. `label`: its name in
    the key numbers table; `short`: on a page's tile when not the label (`{year}`: the
    estimate's year). `says`: its summary sentence, `{value}` the number as shown and
    `{period}` the period it covers (`sentence`).

    A count of a page's own frame (the survey series', the loads') has `args`: its query's
    arguments from the page's filters and choices; `read` then takes the whole frame, there
    is no period before it to compare with, and `period` reads the period it covers from the
    frame (`{period}` in its label too). `real`: a fact about the warehouse itself, never
    simulated (the loads)."""

    key: str
    label: str
    query: str
    read: Callable[[pd.Series], float | None]
    kind: str
    sources: str
    follows: tuple[str, ...]
    short: str | None = None
    help: str = ""
    says: str = ""
    args: Callable[..., tuple] | None = None
    period: Callable[[pd.DataFrame], str] | None = None
    real: bool = False

    def call(self, f: Filters, hf: Filters, opts: dict | None = None) -> tuple:
        """Its query call: the estimates with the page's filters, totals with the
        headline's (`hf`), a count of a page's frame with its arguments."""
        if self.args:
            return (self.query, *self.args(f, **(opts or {})))
        return (self.query, f if self.kind == "interval" else hf)


@dataclass(frozen=True)
class Number:
    """A headline as shown: its name, its value as text, the two numbers compared (None for
    an estimate), whether the change is in points, its help text, its summary sentence."""

    label: str
    text: str
    now: float | None
    before: float | None
    share: bool
    help: str
    sentence: str = ""


def _col(name: str):
    # (the public release's totals hold no before/after figure: None)
    return lambda r: r.get(name)


def _of_twin_images(name: str):
    # a suppressed count is NaN: the share is hidden with it
    return lambda r: r[name] / r["twin_assets"] if r["twin_assets"] > 0 else None


def _twin_share_of_income(r) -> float | None:
    total = r["shoot_income"] + r["twin_income"]
    return r["twin_income"] / total if total else None


def _d(key, label, col, kind="num", **kw) -> Headline:
    return Headline(key, label, "displacement_totals", _col(col), kind, DISPLACEMENT, SHOOTS,
                    **kw)


def _series_args(f: Filters, source: str | None = None, every: str | None = None,
                 level: str | None = None, **_) -> tuple:
    return (f, source, every, level)


def _survey_period(rows: pd.DataFrame) -> str:
    latest = trends.latest(trends.employed_by_role(rows))
    return str(latest["period"].iloc[0]) if not latest.empty else "–"


def _survey(key, label, read, says, period=None) -> Headline:
    return Headline(key, label, "employment_series", read, "num", SURVEY, ("role", "region"),
                    says=says, args=_series_args, period=period)


def _loaded(loads: pd.DataFrame) -> pd.DataFrame:
    return loads[loads["status"] == "loaded"]


def _loads(key, label, read, says) -> Headline:
    return Headline(key, label, "loads", read, "num", LOADS, (), says=says,
                    args=lambda f, **_: (), real=True)


HEADLINES: dict[str, Headline] = {h.key: h for h in (
    _d("twin-share", "Twin share of images", "twin_share", "pct",
       help="Twin images ÷ (twin images + images delivered by shoots).",
       says="{value} of the fashion images in {period} were made with digital twins"),
    _d("twin-images", "Twin images", "twin_assets",
       says="{value} images made with digital twins were used in {period}"),
    _d("shoot-days", "Shoot days booked", "shoot_days",
       says="{value} shoot days were booked in {period}"),
    _d("displaced-did", "Shoot days displaced (difference in differences)", "displaced_did",
       short="Shoot days displaced (DiD)",
       says="{value} shoot days were displaced by twins in {period}, by difference in "
            "differences against brands that use no twins"),
    _d("displaced-upper", "Shoot days displaced (upper bound)", "displaced_upper",
       short="Upper bound",
       help="Twin images ÷ the brand-channel's pre-twin images per shoot day.",
       says="At most {value} shoot days in {period} were displaced, the upper bound: had "
            "every twin image replaced shoot output"),
    _d("cancelled-for-twin", "Shoot days cancelled as 'replaced by twin'",
       "cancelled_for_twin_days", short="Days cancelled, 'replaced by twin'",
       says="{value} shoot days in {period} were cancelled with the reason 'replaced by twin'"),
    _d("before-after", BEFORE_AFTER, "displaced_before_after",
       says="{value} shoot days in {period} fell below the brands' own pre-twin level "
            "(before/after), in months without a difference in differences"),
    Headline("displaced-estimate", "Shoot days displaced in the year (DiD, 95% interval)",
             "displacement_estimates", lambda r: None, "interval", ESTIMATES,
             ("brand", "region"), short="Shoot days displaced in {year} (DiD, 95% interval)",
             help="Shortfall against brands that use no twins (difference in differences), "
                  "summed over the year's observed months, with its 95% interval; all "
                  "channels."),
    Headline("crew-days", "Crew days displaced", "crew_totals", _col("displaced_crew_days"),
             "num", CREW, CREW_FOLLOWS,
             help="Displaced shoot days × the brand's pre-twin crew days per shoot day.",
             says="{value} days of crew work were displaced in {period}: the displaced shoot "
                  "days × each brand's crew days per shoot day before twins"),
    Headline("crew-income", "Crew income displaced", "crew_totals",
             _col("displaced_crew_income"), "money", CREW, CREW_FOLLOWS,
             says="Crew lost {value} of income to displaced shoot days in {period}"),
    Headline("consent-images", "Twin images", "consent_totals", _col("twin_assets"), "num",
             CONSENT, CONSENT_FOLLOWS,
             says="{value} images made with digital twins were used in {period}"),
    Headline("licensed-share", "Twin images under a valid licence", "consent_totals",
             _of_twin_images("licensed_assets"), "pct", CONSENT, CONSENT_FOLLOWS,
             short="Twin images licensed",
             says="{value} of the twin images used in {period} were covered by a valid "
                  "licence"),
    Headline("unlicensed-share", "Used without a valid licence", "consent_totals",
             _of_twin_images("unlicensed_assets"), "pct", CONSENT, CONSENT_FOLLOWS,
             says="{value} of the twin images used in {period} had no valid licence"),
    Headline("watermarked-share", "Twin images watermarked", "consent_totals",
             _col("watermarked_share"), "pct", CONSENT, CONSENT_FOLLOWS, short="Watermarked",
             says="{value} of the twin images used in {period} were watermarked"),
    Headline("disclosed-share", "Twin images disclosed as AI", "consent_totals",
             _col("disclosed_share"), "pct", CONSENT, CONSENT_FOLLOWS,
             short="Disclosed as AI",
             says="{value} of the twin images used in {period} were disclosed as AI"),
    Headline("models-shoot-income", "Models' income from shoots", "model_income_totals",
             _col("shoot_income"), "money", MODEL_INCOME, MODELS,
             says="Models earned {value} from shoots in {period}"),
    Headline("models-twin-income", "Models' income from twins", "model_income_totals",
             _col("twin_income"), "money", MODEL_INCOME, MODELS,
             says="Models earned {value} from licences of their twins in {period}"),
    Headline("models-twin-share", "Twin share of models' income", "model_income_totals",
             _twin_share_of_income, "pct", MODEL_INCOME, MODELS,
             says="{value} of models' income in {period} came from their twins"),
    # counts of a page's own frame: the survey series chosen on the Employment page …
    _survey("survey-people", "People in the survey, {period}",
            lambda d: trends.latest(trends.employed_by_role(d))["employed"].sum(min_count=1),
            "{value} people worked in the series' roles in {period}, its latest period, "
            "summed over the areas shown", period=_survey_period),
    _survey("survey-roles", "Roles", lambda d: d["role"].nunique(),
            "Roles the series counts people in: {value}"),
    _survey("survey-areas", "Areas covered", lambda d: d["area"].nunique(),
            "Areas the series covers: {value}"),
    # … and the loads on the Data page
    _loads("files-loaded", "Files loaded", lambda d: len(_loaded(d)),
           "Files loaded into the warehouse: {value}"),
    _loads("rows-loaded", "Rows loaded",
           lambda d: (_loaded(d)["rows_in"] - _loaded(d)["quarantined"]).sum(),
           "Rows loaded from those files, the quarantined ones not counted: {value}"),
    _loads("rows-quarantined", "Rows quarantined", lambda d: d["quarantined"].sum(),
           "Rows kept aside in the quarantine, each having broken a rule of the data "
           "contract: {value}"),
)}

# the key numbers table (the Brand report page, `twinimpact report`), in order; the
# before/after figure joins it when either period has one
KEY_NUMBERS = ("twin-share", "twin-images", "shoot-days", "displaced-did", "displaced-upper",
               "cancelled-for-twin", "crew-days", "crew-income", "licensed-share",
               "watermarked-share", "disclosed-share")
KEY_QUERIES = ("displacement_totals", "crew_totals", "consent_totals")


def before(row: pd.Series) -> pd.Series:
    """A previous-period totals row, blanked when the warehouse has no data for that period
    (so the change reads "no data", not "new" or a fall from zero)."""
    if "cells" in row.index and not row["cells"]:
        return pd.Series(float("nan"), index=row.index)
    return row


def _number(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def values(h: Headline, frame: pd.DataFrame) -> tuple[float | None, float | None]:
    """A totals headline's number this period and in the period it is compared with (a
    count of a page's frame: its number, and None)."""
    if h.args:
        return _number(h.read(frame) if not frame.empty else None), None
    now, then = frame.iloc[0], before(frame.iloc[1])
    return _number(h.read(now)), _number(h.read(then))


def hidden(frame: pd.DataFrame, mark=None) -> str:
    """Why a headline's frame hides its figure: the release withholds the frame, or its row
    is marked suppressed (`mark`: the row's mark, else the frame's first row's); '' when
    nothing is hidden."""
    why = public.explain(frame)
    if why:
        return why
    if mark is None and privacy.SUPPRESSED_COL in frame and len(frame):
        mark = frame[privacy.SUPPRESSED_COL].iloc[0]
    return "" if mark is None or pd.isna(mark) else str(mark)


def sentence(h: Headline, text: str, period: str, simulated: bool, why: str = "") -> str:
    """A headline's summary sentence, made from the number as shown (`text`) only: what it
    means, the period it covers, simulated or from the loaded exports. A number not shown
    (`–`) gets why (`why`: its suppression, `hidden`) or that there is none, never a
    figure."""
    name, where = h.label.format(period=period), f" for {period}" if period else ""
    if h.period:  # (its label names the period)
        where = ""
    if text == "–":
        return (f"{name}{where}: hidden ({why})." if why else
                f"{name}{where}: no figure in this selection.")
    said = h.says.format(value=text, period=period)
    said = said[:1].upper() + said[1:]
    if h.real:
        return said + "."
    return said + (" (simulated data)." if simulated else " (from the loaded exports).")


def _interval_sentence(estimate: dict | None, year: int | None, channel: bool,
                       simulated: bool, why: str) -> str:
    """The yearly estimate's sentence (interval.sentence), or why it is hidden."""
    if why:
        return f"Shoot days displaced in {year} (difference in differences): hidden ({why})."
    said = interval.sentence(estimate, year, channel_filtered=channel)
    if said is None:
        return f"No estimate of the shoot days displaced in {year} for this selection."
    return said[:-1] + (" (simulated data)." if simulated else " (from the loaded exports).")


def shown(h: Headline, frame: pd.DataFrame, f: Filters, currency: str, period: str = "",
          simulated: bool = False) -> Number:
    """A headline as a page shows it, from its query's (disclosed) frame; `f`: the page's
    filters (the estimate's year; the filters it does not follow are named); `period`: the
    period its sentence names (a count of a page's frame reads its own); `simulated`: the
    warehouse holds the demo's simulated industry."""
    note = unapplied_note(f, h.follows)
    label = h.short or h.label
    if "channel" in unapplied(f, h.follows) and h.kind != "interval":
        label += " (all channels)"
    if h.kind == "interval":
        year = interval.headline_year(f)
        estimate = interval.for_year(frame, year)
        text = interval.short(estimate)
        why = hidden(frame, (estimate or {}).get(privacy.SUPPRESSED_COL, "")) \
            if text == "–" else ""
        return Number(label.format(year=year), text, None, None, False,
                      h.help + (" " + interval.row(estimate) if estimate else ""),
                      _interval_sentence(estimate, year, bool(f.channel), simulated, why))
    now, then = values(h, frame)
    text = key_number(now, h.kind, currency)
    if h.args:  # a count of a page's frame: the period it covers is the frame's own
        period = h.period(frame) if h.period else ""
        label = label.format(period=period)
    return Number(label, text, now, then, h.kind == "pct",
                  h.help + (f" Note: {note}." if note else ""),
                  sentence(h, text, period, simulated, hidden(frame) if now is None else ""))


def turnover(displacement: pd.DataFrame) -> str | None:
    """Which brands entered or left between the previous period and this one (from
    displacement_totals' brand_ids), so a change is never read as like for like; None when
    the same brands are behind both, or there is no previous period."""
    if "brand_ids" not in displacement:
        return None
    # a period without rows has no list (NaN or None)
    ids = [{str(b) for b in x} if hasattr(x, "__iter__") and not isinstance(x, str) else set()
           for x in displacement["brand_ids"]]
    if len(ids) < 2 or not ids[1]:
        return None
    now, before_ = ids[0], ids[1]
    entered, left = sorted(now - before_), sorted(before_ - now)
    parts = ([f"{', '.join(entered)} entered the data (this period only)"] if entered else []) \
        + ([f"{', '.join(left)} left the data (previous period only)"] if left else [])
    if not parts:
        return None
    return ("Changes against the previous period compare different brands: "
            + "; ".join(parts) + ".")


def numbers_from(displacement: pd.DataFrame, crew: pd.DataFrame,
                 consent: pd.DataFrame, period: str | None = None, simulated: bool = False,
                 currency: str = "EUR") -> pd.DataFrame:
    """metric, value, previous, kind: the KEY_NUMBERS headlines from the three disclosed
    KEY_QUERIES frames (a page fetches them with its other frames, on its threads); the
    before/after figure when either period has one (months without a DiD: their own figure,
    their own name). With `period` (the period the numbers cover, as a sentence names it),
    each one's summary sentence too (`sentence`)."""
    frames = dict(zip(KEY_QUERIES, (displacement, crew, consent), strict=True))
    keys = list(KEY_NUMBERS)
    said = displacement.get("displaced_before_after")  # (not in the public release's totals)
    # a period with data whose DiD is missing (its months without one) shows its before/after
    # figure, 0 included; a hidden one might be one: its row stays, marked "–"
    if said is not None and ((displacement["cells"] > 0) & (
            said.isna() | (said != 0) | displacement["displaced_did"].isna())).any():
        keys.append("before-after")
    decls = [HEADLINES[k] for k in keys]
    rows = [(h.label, *values(h, frames[h.query]), h.kind) for h in decls]
    out = pd.DataFrame(rows, columns=["metric", "value", "previous", "kind"])
    for col in ("value", "previous"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    if period is not None:
        texts = [key_number(v, h.kind, currency) for h, v in zip(decls, out["value"],
                                                                 strict=True)]
        out["sentence"] = [
            sentence(h, text, period, simulated, hidden(frames[h.query]) if text == "–" else "")
            for h, text in zip(decls, texts, strict=True)]
    return out
