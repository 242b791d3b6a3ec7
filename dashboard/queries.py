"""The dashboard's only data access: one function per chart, each returning a small DataFrame.

Every function opens a short-lived read-only connection (so a load can publish meanwhile),
reads the published marts (and meta.loads / meta.quarantine), and binds every value. Filter
lists are bound as arrays: an empty list means "all". No Streamlit here: the report and the
benchmark call these directly; `dashboard.data` adds the cache.

Row shapes are given in each docstring as `columns`.
"""

from __future__ import annotations

import csv
import re
import typing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.filters import Filters, Known, previous_period
from etl import config
from etl.estimate import MIN_CONTROLS
from etl.warehouse import reader

# Shared filter predicate pieces, bound by name. `len(list) = 0` means no filter.
# list_contains, not `in (select unnest(…))`: no join to plan, a few ms less per query.
_BRAND = "(len($brand::varchar[]) = 0 or list_contains($brand::varchar[], brand_id))"
_CHANNEL = "(len($channel::varchar[]) = 0 or list_contains($channel::varchar[], channel))"
_ROLE = "(len($role::varchar[]) = 0 or list_contains($role::varchar[], role))"
_PERIOD = "month between $start::date and $end::date"
# Brand-level marts carry the brand's home region (marts.brands); employment has areas.
_HOME_REGION = "(len($region::varchar[]) = 0 or list_contains($region::varchar[], region))"

# The people behind a figure (CONTRACT §6), counted exactly from staging at the figure's grain
# (the marts' per-cell counts cannot be added up: one person works in many cells). People are
# numbers there. With a brand or region filter the counts read one row per person and cell
# (`staging.int_*_people`, sorted by brand); without one they read bitmaps of the people of
# each month and cell (`staging.int_*_people_bits`), OR-ed together block by block — a few
# thousand rows instead of hundreds of thousands. `_counted` writes either count.
# Twin use: the twin's model; a twin the warehouse does not know counts as a person of its own.
# Consent: with whether the use was covered by a valid licence (consent_code 0), watermarked
# and disclosed: a share's complement (the unlicensed, unwatermarked images) is a figure about
# the models behind it.
_TWIN_FLAGS = """consent_code, consent_code > 0 as unlicensed, not watermarked as unwatermarked,
           not disclosed as undisclosed"""


class _People(typing.NamedTuple):
    """A people source (our own SQL): rows of `person`, or of bitmaps (`block`, `seen`)."""

    sql: str
    bits: bool


def _by_brand(f: Filters) -> bool:
    return bool(f.brand or f.region)


def _twin_people(f: Filters, by_brand: bool = False, rows: bool = False) -> _People:
    """The people source of twin use and consent figures; `rows`: one row per person (with
    assets) even without a brand filter."""
    if by_brand or _by_brand(f):
        return _People(f"""
    select p.brand_id, {_REGION_OF(f)}, month, channel, person, assets, {_TWIN_FLAGS}
    from staging.int_twin_people p {_BRANDS_OF(f)}
""", False)  # noqa: S608
    if rows:
        return _People(f"""
    select null::varchar as brand_id, null::varchar as region, month, channel, person, assets,
           {_TWIN_FLAGS}
    from staging.int_twin_people_industry
""", False)  # noqa: S608
    return _People(f"""
    select null::varchar as brand_id, null::varchar as region, month, channel, block, seen,
           {_TWIN_FLAGS}
    from staging.int_twin_people_bits
""", True)  # noqa: S608


def _crew_people(f: Filters) -> _People:
    """The people source of crew figures: the crew members of the bookings the crew mart
    counts (known, not cancelled)."""
    if _by_brand(f):
        return _People(f"""
    select p.month, p.brand_id, p.role, {_REGION_OF(f)}, p.person
    from staging.int_crew_people p {_BRANDS_OF(f)}
""", False)  # noqa: S608
    return _People("""
    select month, null::varchar as brand_id, role, null::varchar as region, block, seen
    from staging.int_crew_people_bits
""", True)


def _counted(people: _People, keys: str, flags: dict[str, str], where: str,
             extra: str = "") -> str:
    """SQL: per `keys` (columns of the source, or `extra` expressions named in keys; empty:
    one row), the distinct people of the rows meeting `where` and each flag's condition.
    Rows: one row per person first, then counted (faster than count distinct). Bitmaps: OR-ed
    per block, then their set bits counted."""
    # every fragment is our own SQL (sources, keys, conditions); values are bound
    k = f"{keys}, " if keys else ""
    group = "group by all" if keys else ""
    source = f"select *{', ' + extra if extra else ''} from ({people.sql})"  # noqa: S608
    if people.bits:
        inner = ", ".join(f"bit_or(seen) filter (where {cond}) as {name}"
                          for name, cond in flags.items())
        outer = ", ".join(f"coalesce(sum(bit_count({name})), 0)::bigint as {name}"
                          for name in flags)
        per = f"select {k}block, {inner} from ({source}) where {where} group by all"  # noqa: S608
    else:
        inner = ", ".join(f"bool_or({cond}) as {name}" for name, cond in flags.items())
        outer = ", ".join(f"count(*) filter (where {name}) as {name}" for name in flags)
        per = f"select {k}person, {inner} from ({source}) where {where} group by all"  # noqa: S608
    return f"select {k}{outer} from ({per}) {group}"  # noqa: S608


# A people row's region is its brand's home region: joined only when the region filter is on.
def _REGION_OF(f: Filters) -> str:  # noqa: N802 — a SQL fragment, named like the constants
    return "b.home_region as region" if f.region else "null::varchar as region"


def _BRANDS_OF(f: Filters) -> str:  # noqa: N802
    return "left join marts.brands b using (brand_id)" if f.region else ""


Source = Path | duckdb.DuckDBPyConnection  # a warehouse path, or an open reader to reuse


def _run(src: Source, sql: str, params: dict | None = None) -> pd.DataFrame:
    # only the parameters the SQL names: a fragment left out (a filter that is not active)
    # leaves its parameter unused, which DuckDB refuses
    params = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}
    if isinstance(src, duckdb.DuckDBPyConnection):
        return src.execute(sql, params or {}).df()
    with reader(src) as con:
        return con.execute(sql, params or {}).df()


def _params(f: Filters, *names: str, start: date | None = None,
            end: date | None = None) -> dict:
    """Bound parameters for the named filters (only those the SQL uses)."""
    values = {
        "start": start or f.start(), "end": end or f.end(),
        "brand": list(f.brand), "channel": list(f.channel), "role": list(f.role),
        "region": list(f.region),
    }
    return {n: values[n] for n in names}


def _pstart(f: Filters) -> date | None:
    """The first month of the period just before f's, of the same length."""
    if not (f.start() and f.end()):
        return None
    return previous_period(f.start(), f.end())[0]


def known_values(db: Source) -> Known:
    """Months, brands and regions present in the marts (URL values are checked against these;
    marts.filter_values)."""
    rows = _run(db, "select filter, value from marts.filter_values order by filter, value")
    values = {name: tuple(group["value"]) for name, group in rows.groupby("filter", sort=False)}
    return Known(months=values.get("month", ()), brands=values.get("brand", ()),
                 regions=values.get("region", ()))


def warehouse_ready(db: Path) -> bool:
    """True when the warehouse exists and publishes the marts the pages read."""
    if not Path(db).exists():
        return False
    try:
        with reader(db) as con:
            n = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'marts' "
                "and database_name = current_database() and table_name in ("
                "'displacement_monthly', 'crew_impact_monthly', 'model_income_monthly', "
                "'income_distribution_yearly', 'consent_monthly', 'employment')").fetchone()[0]
        return n == 6
    except Exception:  # noqa: BLE001 — a half-written or foreign file is "not ready"
        return False


def provenance(db: Source) -> pd.DataFrame:
    """One row: as_of (last successful load), simulated (any simulated load), loads, files."""
    return _run(db, """
        select max(coalesce(finished_at, started_at)) filter (where status in ('loaded', 'skipped'))
                   as as_of,
               coalesce(bool_or(simulated) filter (where status = 'loaded'), false) as simulated,
               count(*) as loads,
               count(distinct file) filter (where status = 'loaded') as files
        from meta.loads
    """)


def events() -> pd.DataFrame:
    """Dated industry events shipped with the project: date, event, kind, source_url."""
    path = config.INDUSTRY_EVENTS_CSV
    if not path.exists():
        return pd.DataFrame(columns=["date", "event", "kind", "source_url", "confidence"])
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    df = pd.DataFrame(rows, columns=["date", "event", "kind", "source_url", "confidence"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def _two_periods(db: Source, f: Filters, mart: str, where: str, filters_used: tuple[str, ...],
                 measures: str, people: tuple[_People, dict[str, str]] | None = None
                 ) -> pd.DataFrame:
    """Two rows — the current period, then the previous one of the same length — of
    `measures` over `marts.<mart>`: the headline numbers and what they are compared with.
    `people`: (a people source, column → condition): the distinct people behind each period,
    counted in the same statement (`_counted`).
    `mart`, `where` and `measures` are fragments of our own code; every value is bound.

    The cells are grouped by period directly (no join before the aggregate: half the time);
    a period without cells then has no row, and gets 0 for every measure written
    `coalesce(…, 0)` and empty for the others (a share of nothing)."""
    named = re.findall(r"(.*?)\bas (\w+)\s*(?:,|$)", " ".join(measures.split()))
    shown = ", ".join(f"coalesce(m.{name}, 0) as {name}" if expr.strip().startswith("coalesce(")
                      else f"m.{name}" for expr, name in named)
    src, columns = people if people else (_People("select null::date as month where false",
                                                 False), {})
    counted = (_counted(src, "ord", columns,
                        f"month between $pstart::date and $end::date {where}",
                        extra="(month < $start::date)::int as ord") if columns
               else "select 0 as ord where false")
    picked = "".join(f", coalesce(n.{col}, 0) as {col}" for col in columns)
    return _run(db, f"""
        with measured as (
            select (month < $start::date)::int as ord, {measures}, count(*) as cells
            from marts.{mart}
            where month between $pstart::date and $end::date {where}
            group by ord
        ),
        counted as ({counted})
        select p.period, {shown}, coalesce(m.cells, 0) as cells{picked}
        from (values ('current', 0), ('previous', 1)) p(period, ord)
        left join measured m using (ord)
        left join counted n using (ord)
        order by p.ord
    """, {**_params(f, "start", "end", *filters_used), "pstart": _pstart(f)})  # noqa: S608


# ---- displacement -------------------------------------------------------------------------

def displacement_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length) of totals:
    shoot_days, shoot_assets, twin_assets, twin_share,
    cancelled_for_twin_days, displaced_did, displaced_before_after, displaced_upper, brand_ids
    (the brands observed in the period: a change between periods names those that entered or
    left), models (distinct models behind the twin use).
    displaced_did is empty when any post-adoption month in the period has no difference in
    differences (fewer than 3 control brands: the monthly figure is then the brand's
    before/after shortfall, summed apart in displaced_before_after)."""
    return _two_periods(db, f, "displacement_monthly",
                        f"and {_BRAND} and {_CHANNEL} and {_HOME_REGION}",
                        ("brand", "channel", "region"), f"""
               coalesce(sum(shoot_days), 0)::double as shoot_days,
               coalesce(sum(shoot_assets), 0)::bigint as shoot_assets,
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0) as twin_share,
               coalesce(sum(cancelled_for_twin_days), 0)::double as cancelled_for_twin_days,
               case when bool_or(post_adoption and not {_HAS_DID}) then null
                    else coalesce(sum(displaced_shoot_days_did), 0) end::double as displaced_did,
               coalesce(sum(displaced_shoot_days_did)
                        filter (where post_adoption and not {_HAS_DID}), 0)::double
                   as displaced_before_after,
               coalesce(sum(displaced_shoot_days_upper), 0)::double as displaced_upper,
               list(distinct brand_id order by brand_id) as brand_ids""",
                        people=(_twin_people(f), {"models": "true"}))


# a post-adoption month whose monthly figure is a difference in differences (CONTRACT §4's
# 3 control brands); otherwise it is a before/after shortfall and is never called a DiD
_HAS_DID = ("(did_method in ('did_channel', 'did_all_channels') "
            f"and control_brands >= {MIN_CONTROLS})")
_TWIN_WHERE = f"{_PERIOD} and {_BRAND} and {_CHANNEL} and {_HOME_REGION}"


def _share_by(db: Source, f: Filters, keys: str, start: date | None = None) -> pd.DataFrame:
    """Shoot and twin images and the twin share grouped by `keys` (our own column list, e.g.
    `month, channel`; `half` is the half-year, `2026 H1`), with models: the distinct models
    behind the group's twin use. Halves are grouped as numbers and named at the end."""
    inner = keys.replace("half", "half_no")
    outer = keys.replace("half", "(half_no // 2) || ' H' || (half_no % 2 + 1) as half")
    half_no = "year(month) * 2 + (month(month) > 6)::int as half_no"
    return _run(db, f"""
        with cells as (
            select *, {half_no}
            from marts.displacement_monthly
            where {_TWIN_WHERE}
        ),
        counted as ({_counted(_twin_people(f), inner, {"models": "true"}, _TWIN_WHERE,
                              extra=half_no)}),
        grouped as (
            select {inner},
                   sum(shoot_assets)::bigint as shoot_assets,
                   sum(twin_assets)::bigint as twin_assets,
                   sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0)
                       as twin_share,
                   count(distinct month) as months
            from cells
            group by all
        )
        -- aggregated first, then joined: a join before the aggregate costs every cell
        select {outer}, shoot_assets, twin_assets, twin_share, months,
               coalesce(counted.models, 0)::bigint as models
        from grouped left join counted using ({inner})
        order by {inner}
    """, _params(f, "start", "end", "brand", "channel", "region", start=start))  # noqa: S608


def twin_share_by_channel(db: Source, f: Filters) -> pd.DataFrame:
    """month, channel, shoot_assets, twin_assets, twin_share, months, models."""
    return _share_by(db, f, "month, channel")


def twin_share_overall(db: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_assets, twin_assets, twin_share, months, models: all channels together."""
    return _share_by(db, f, "month")


def twin_share_by_half(db: Source, f: Filters) -> pd.DataFrame:
    """half (`2026 H1`), channel, shoot_assets, twin_assets, twin_share, months, models — the
    whole history up to the period's end (the findings compare a half with a year before)."""
    return _share_by(db, f, "half, channel", start=date(2000, 1, 1))


def shoot_days_vs_expected(db: Source, f: Filters) -> pd.DataFrame:
    """month, actual_shoot_days, expected_did (actual + DiD shortfall; empty in a month with
    a post-adoption cell without a DiD, whose expectation is expected_before_after instead),
    expected_upper (actual + substitution bound), cancelled_for_twin_days, models (behind the
    twin images the upper bound is made from)."""
    return _run(db, f"""
        with people as ({_counted(_twin_people(f), "month", {"models": "true"}, _TWIN_WHERE)}),
        grouped as (
            select month,
                   sum(shoot_days)::double as actual_shoot_days,
                   case when bool_or(post_adoption and not {_HAS_DID}) then null
                        else sum(shoot_days) + sum(displaced_shoot_days_did)
                        end::double as expected_did,
                   case when bool_or(post_adoption and not {_HAS_DID})
                        then sum(shoot_days) + sum(displaced_shoot_days_did)
                        end::double as expected_before_after,
                   (sum(shoot_days) + sum(displaced_shoot_days_upper))::double
                       as expected_upper,
                   sum(cancelled_for_twin_days)::double as cancelled_for_twin_days
            from marts.displacement_monthly
            where {_TWIN_WHERE}
            group by month
        )
        select grouped.*, coalesce(people.models, 0)::bigint as models
        from grouped left join people using (month)
        order by month
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def brands_ranked(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month (first twin use, whole history), twin_assets, shoot_assets,
    twin_share, displaced_did (empty when a post-adoption month has no DiD: fewer than 3
    control brands), displaced_upper, cancelled_for_twin_days, models — most displaced
    first."""
    return _run(db, f"""
        with adoption as (
            select brand_id, adoption_month from marts.brands
        ),
        people as (
            {_counted(_twin_people(f, by_brand=True), "brand_id", {"models": "true"},
                      _TWIN_WHERE)}
        ),
        period as (
            select brand_id,
                   sum(twin_assets)::bigint as twin_assets,
                   sum(shoot_assets)::bigint as shoot_assets,
                   sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0)
                       as twin_share,
                   case when bool_or(post_adoption and not {_HAS_DID}) then null
                        else sum(displaced_shoot_days_did) end::double as displaced_did,
                   sum(displaced_shoot_days_upper)::double as displaced_upper,
                   sum(cancelled_for_twin_days)::double as cancelled_for_twin_days,
                   -- the ranking: the shortfall whether or not it is a DiD
                   sum(displaced_shoot_days_did) as shortfall
            from marts.displacement_monthly
            where {_TWIN_WHERE}
            group by brand_id
        )
        select p.brand_id, strftime(a.adoption_month, '%Y-%m') as adoption_month,
               p.twin_assets, p.shoot_assets, p.twin_share, p.displaced_did,
               p.displaced_upper, p.cancelled_for_twin_days,
               coalesce(pp.models, 0)::bigint as models
        from period p join adoption a using (brand_id) left join people pp using (brand_id)
        order by p.shortfall desc, p.twin_assets desc, p.brand_id
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def brand_choices(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month (first twin use, whole history), displaced_did — the brands
    the selection names, most displaced first: which brand a page opens on (no people counted:
    it shows no figure about people)."""
    return _run(db, f"""
        select d.brand_id, strftime(any_value(b.adoption_month), '%Y-%m') as adoption_month,
               sum(d.displaced_shoot_days_did)::double as displaced_did
        from marts.displacement_monthly d
        join marts.brands b using (brand_id)
        where {_TWIN_WHERE}
        group by d.brand_id
        order by displaced_did desc, sum(d.twin_assets) desc, d.brand_id
    """, _params(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def displacement_estimates(db: Source, f: Filters) -> pd.DataFrame:
    """scope, year, months_observed, did, did_low, did_high, upper, control_brands, estimable,
    note, brands, crew_days(_low/_high), crew_income(_low/_high), rho, pretrend_p,
    breakdown_m — for every calendar year
    the period touches. Scopes: `ALL` and every brand with no brand or region filter; else the
    filtered brands only. Estimates cover all channels (the channel filter does not apply).
    crew_people: distinct crew members booked by the scope that year (public mode hides the
    crew estimates below k); models: distinct models behind its twin images (the upper bound
    is made from them)."""
    return _run(db, """
        select e.scope, e.year, e.months_observed, e.did, e.did_low, e.did_high, e.upper,
               e.control_brands, e.estimable, e.note, e.brands,
               e.crew_days, e.crew_days_low, e.crew_days_high,
               e.crew_income, e.crew_income_low, e.crew_income_high,
               coalesce(p.crew_people, 0) as crew_people, coalesce(p.models, 0) as models,
               e.rho, e.pretrend_p, e.breakdown_m
        from marts.displacement_estimates e
        left join marts.brands b on b.brand_id = e.scope
        left join staging.int_scope_people_yearly p on p.scope = e.scope and p.year = e.year
        where e.year between coalesce(year($start::date), 0) and coalesce(year($end::date), 9999)
          and (
            (e.scope = 'ALL' and len($brand::varchar[]) = 0 and len($region::varchar[]) = 0)
            or (e.scope <> 'ALL'
                and (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], e.scope))
                and (len($region::varchar[]) = 0
                     or list_contains($region::varchar[], b.home_region))))
        order by e.scope = 'ALL' desc, e.scope, e.year
    """, _params(f, "start", "end", "brand", "region"))


def coverage(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, covered_from, covered_to (YYYY-MM), coverage (each file's months, joined),
    observed_months — for the Data page: which months each brand's bookings files cover."""
    return _run(db, """
        select brand_id, strftime(covered_from, '%Y-%m') as covered_from,
               strftime(covered_to, '%Y-%m') as covered_to,
               array_to_string(coverage, ', ') as coverage, observed_months
        from marts.brands
        where (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], brand_id))
        order by brand_id
    """, _params(f, "brand"))


def event_study(db: Source, f: Filters) -> pd.DataFrame:
    """scope, event_month (−12…+36), effect, effect_low, effect_high, brands, placebo,
    joint_low, joint_high (the simultaneous 95% band).
    `ALL` without a brand or region filter; else each filtered brand's own rows. Event months
    count from each brand's adoption, so the period filter does not apply."""
    return _run(db, """
        select e.scope, e.event_month, e.effect, e.effect_low, e.effect_high, e.brands,
               e.placebo, e.joint_low, e.joint_high
        from marts.displacement_event_study e
        left join marts.brands b on b.brand_id = e.scope
        where (e.scope = 'ALL' and len($brand::varchar[]) = 0 and len($region::varchar[]) = 0)
            or (e.scope <> 'ALL'
                and (len($brand::varchar[]) > 0 or len($region::varchar[]) > 0)
                and (len($brand::varchar[]) = 0 or list_contains($brand::varchar[], e.scope))
                and (len($region::varchar[]) = 0
                     or list_contains($region::varchar[], b.home_region)))
        order by e.scope, e.event_month
    """, _params(f, "brand", "region"))


# ---- crew ---------------------------------------------------------------------------------
# The crew mart has no channel (displaced crew days are estimated per brand × role): crew
# figures do not follow the channel filter, and the pages say so on each of them.

def crew_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): crew_days,
    crew_income, displaced_crew_days, displaced_crew_income,
    people (distinct crew members booked in the selection)."""
    return _two_periods(db, f, "crew_impact_monthly",
                        f"and {_BRAND} and {_ROLE} and {_HOME_REGION}",
                        ("brand", "role", "region"), """
               coalesce(sum(crew_days), 0)::double as crew_days,
               coalesce(sum(crew_income), 0)::double as crew_income,
               coalesce(sum(displaced_crew_days), 0)::double as displaced_crew_days,
               coalesce(sum(displaced_crew_income), 0)::double as displaced_crew_income""",
                        people=(_crew_people(f), {"people": "true"}))


_CREW_WHERE = f"{_PERIOD} and {_BRAND} and {_ROLE} and {_HOME_REGION}"


def crew_by_role(db: Source, f: Filters) -> pd.DataFrame:
    """role, crew_days, crew_income, displaced_crew_days, displaced_crew_income, people
    (distinct crew members of the role booked in the selection)."""
    return _run(db, f"""
        with people as ({_counted(_crew_people(f), "role", {"people": "true"}, _CREW_WHERE)}),
        grouped as (
            select role,
                   sum(crew_days)::double as crew_days,
                   sum(crew_income)::double as crew_income,
                   sum(displaced_crew_days)::double as displaced_crew_days,
                   sum(displaced_crew_income)::double as displaced_crew_income
            from marts.crew_impact_monthly
            where {_CREW_WHERE}
            group by role
        )
        select grouped.*, coalesce(people.people, 0)::bigint as people
        from grouped left join people using (role)
        order by displaced_crew_days desc, role
    """, _params(f, "start", "end", "brand", "role", "region"))  # noqa: S608


def crew_income_by_year_role(db: Source, f: Filters) -> pd.DataFrame:
    """year, months (of that year in the period's data), role, crew_days, crew_income,
    displaced_crew_income, people (distinct crew members of the role that year)."""
    return _run(db, f"""
        with cells as (
            select * from marts.crew_impact_monthly
            where {_CREW_WHERE}
        ),
        months as (
            select year(month) as year, count(distinct month) as months from cells group by all
        ),
        people as ({_counted(_crew_people(f), "year, role", {"people": "true"}, _CREW_WHERE,
                             extra="year(month) as year")}),
        grouped as (
            select year(month) as year, role,
                   sum(crew_days)::double as crew_days,
                   sum(crew_income)::double as crew_income,
                   sum(displaced_crew_income)::double as displaced_crew_income
            from cells
            group by all
        )
        select g.year, m.months, g.role, g.crew_days, g.crew_income, g.displaced_crew_income,
               coalesce(p.people, 0)::bigint as people
        from grouped g join months m using (year)
        left join people p using (year, role)
        order by year, role
    """, _params(f, "start", "end", "brand", "role", "region"))  # noqa: S608


# ---- models' income -----------------------------------------------------------------------
# marts.model_income_monthly is month × model: no brand, channel, region or role. These
# figures follow the period only, and the pages say so on each of them.

def model_income_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_income, twin_income, models_shoot (models with shoot income),
    models_twin (models with twin income) — all models, summed per month."""
    return _run(db, f"""
        select month,
               sum(shoot_income)::double as shoot_income,
               sum(twin_income)::double as twin_income,
               -- one row per month × model: counting rows counts distinct models
               count(*) filter (where shoot_income > 0) as models_shoot,
               count(*) filter (where twin_income > 0) as models_twin
        from marts.model_income_monthly
        where {_PERIOD}
        group by month
        order by month
    """, _params(f, "start", "end"))  # noqa: S608


def model_income_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): shoot_income,
    twin_income, models_shoot, models_twin (distinct models earning each), cells."""
    return _two_periods(db, f, "model_income_monthly", "", (), """
               coalesce(sum(shoot_income), 0)::double as shoot_income,
               coalesce(sum(twin_income), 0)::double as twin_income""",
                        people=(_MODEL_EARNERS, {"models_shoot": "shoots",
                                                 "models_twin": "twins"}))


# the models earning from shoots and from twins, per month (marts.model_income_monthly)
_MODEL_EARNERS = _People("""
    select month, model_id as person, shoot_income > 0 as shoots, twin_income > 0 as twins
    from marts.model_income_monthly
""", False)


def income_distribution(db: Source, f: Filters) -> pd.DataFrame:
    """year, cohort, models, median_income, p90_income, top10_share, gini, top_group (the
    models in the top tenth, behind p90 and the top-10% share) — the years the period touches."""
    return _run(db, """
        select year, cohort, models, median_income::double as median_income,
               p90_income::double as p90_income, top10_share::double as top10_share,
               gini::double as gini, ceil(models / 10)::bigint as top_group
        from marts.income_distribution_yearly
        where year between year($start::date) and year($end::date)
        order by year, cohort
    """, _params(f, "start", "end"))


def lorenz(db: Source, year: int) -> pd.DataFrame:
    """cohort, models, pop_share, income_share: the Lorenz curve of models' yearly income
    (shoots + twins) in `year`, at most 101 points per cohort, (0, 0) included."""
    return _run(db, """
        -- the same model-years and cohorts as marts.income_distribution_yearly
        with yearly as (
            select model_id, has_twin, income
            from marts.model_income_yearly
            where year = $year
        ),
        cohorts as (
            select 'all' as cohort, income from yearly
            union all
            select case when has_twin then 'twin_holders' else 'no_twin' end, income from yearly
        ),
        ranked as (
            select cohort, income,
                   row_number() over (partition by cohort order by income) as rn,
                   count(*) over (partition by cohort) as n,
                   sum(income) over (partition by cohort order by income
                                     rows between unbounded preceding and current row) as cum,
                   sum(income) over (partition by cohort) as total
            from cohorts
        ),
        points as (
            select cohort, n as models, rn / n as pop_share, cum / nullif(total, 0) as income_share
            from ranked
            -- one point per percentile keeps the curve small at any number of models
            where rn = n or floor(100 * rn / n) > floor(100 * (rn - 1) / n)
        ),
        origin as (select distinct cohort, models, 0.0 as pop_share, 0.0 as income_share
                   from points)
        select * from origin
        union all
        select * from points
        order by cohort, pop_share
    """, {"year": int(year)})


# ---- consent ------------------------------------------------------------------------------

def consent_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, twin_assets, licensed_assets, unlicensed_assets, people (distinct models behind
    that month's twin use), unlicensed_people (… behind its unlicensed use)."""
    return _run(db, f"""
        with people as ({_counted(_twin_people(f), "month",
                                  {"people": "true", "unlicensed_people": "unlicensed"},
                                  f"{_PERIOD} and {_BRAND} and {_HOME_REGION}")})
        select month,
               sum(twin_assets)::bigint as twin_assets,
               sum(licensed_assets)::bigint as licensed_assets,
               sum(unlicensed_assets)::bigint as unlicensed_assets,
               coalesce(any_value(people.people), 0)::bigint as people,
               coalesce(any_value(people.unlicensed_people), 0)::bigint as unlicensed_people
        from marts.consent_monthly left join people using (month)
        where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        group by month
        order by month
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def unlicensed_reasons(db: Source, f: Filters) -> pd.DataFrame:
    """reason, assets, people: unlicensed twin assets by why no valid licence covered them, and
    the distinct models behind them (staging.int_usage_classified's consent codes, named as
    in marts.consent_monthly's unlicensed_reason_counts)."""
    return _run(db, f"""
        with uses as (
            select month, brand_id, region, assets, person,
                   ['out_of_scope', 'expired', 'not_yet_valid', 'revoked', 'no_licence',
                    'no_licence', 'unknown_licence'][consent_code] as reason
            from ({_twin_people(f, rows=True).sql})
            where consent_code > 0
        )
        select reason, sum(assets)::bigint as assets, count(distinct person) as people
        from uses
        where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        group by reason
        having sum(assets) > 0
        order by assets desc, reason
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def compliance_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, twin_assets, licensed_share, watermarked_share, disclosed_share
    (asset-weighted), people (distinct models behind the brand's twin use), unlicensed_people,
    unwatermarked_people, undisclosed_people (… behind its unlicensed, unwatermarked,
    undisclosed use) — least licensed first."""
    return _run(db, f"""
        with cells as (
            select brand_id, twin_assets as assets, licensed_assets,
                   watermarked_share, disclosed_share
            from marts.consent_monthly
            where {_PERIOD} and {_BRAND} and {_HOME_REGION}
        ),
        people as ({_counted(_twin_people(f, by_brand=True), "brand_id", _CONSENT_FLAGS,
                             f"{_PERIOD} and {_BRAND} and {_HOME_REGION}")})
        select brand_id,
               sum(assets)::bigint as twin_assets,
               sum(licensed_assets) / nullif(sum(assets), 0) as licensed_share,
               sum(watermarked_share * assets) / nullif(sum(assets), 0) as watermarked_share,
               sum(disclosed_share * assets) / nullif(sum(assets), 0) as disclosed_share,
               coalesce(any_value(people.people), 0)::bigint as people,
               coalesce(any_value(people.unlicensed_people), 0)::bigint as unlicensed_people,
               coalesce(any_value(people.unwatermarked_people), 0)::bigint
                   as unwatermarked_people,
               coalesce(any_value(people.undisclosed_people), 0)::bigint as undisclosed_people
        from cells left join people using (brand_id)
        group by brand_id
        having sum(assets) > 0
        order by licensed_share, brand_id
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def consent_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): twin_assets,
    licensed_assets, unlicensed_assets, watermarked_share, disclosed_share, cells, people
    (distinct models behind the twin use), unlicensed_people, unwatermarked_people,
    undisclosed_people (… behind its unlicensed, unwatermarked, undisclosed use)."""
    return _two_periods(db, f, "consent_monthly", f"and {_BRAND} and {_HOME_REGION}",
                        ("brand", "region"), """
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               coalesce(sum(licensed_assets), 0)::bigint as licensed_assets,
               coalesce(sum(unlicensed_assets), 0)::bigint as unlicensed_assets,
               sum(watermarked_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as watermarked_share,
               sum(disclosed_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as disclosed_share""",
                        people=(_twin_people(f), _CONSENT_FLAGS))


# the models behind all twin use, and behind its unlicensed, unwatermarked, undisclosed part
_CONSENT_FLAGS = {"people": "true", "unlicensed_people": "unlicensed",
                  "unwatermarked_people": "unwatermarked",
                  "undisclosed_people": "undisclosed"}


def reporting_currency(db: Source) -> str:
    """The warehouse's reporting currency (ISO 4217), set by its first load; EUR if unset."""
    df = _run(db, "select value from meta.settings where key = 'reporting_currency'")
    return str(df["value"].iloc[0]) if not df.empty else "EUR"


# ---- employment ---------------------------------------------------------------------------

_REGION = ("(len($region::varchar[]) = 0 "
           "or list_contains($region::varchar[], left(area, 2)))")


def employment_survey(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — every non-BLS source (the union survey), filtered by role and region."""
    return _run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source not ilike '%BLS%' and {_ROLE} and {_REGION}
        order by period, area, role, source
    """, _params(f, "role", "region"))  # noqa: S608


def employment_bls(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — the BLS OEWS figures, filtered by role."""
    return _run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source ilike '%BLS%' and {_ROLE}
        order by role, period
    """, _params(f, "role"))  # noqa: S608


# Survey periods and areas, told apart so that no figure adds up what must not be added:
# a year, a quarter and a month of the same survey overlap; GB and GB-LND are nested.
_GRANULARITY = ("case when length(period) = 4 then 'year' when period[6] = 'Q' then 'quarter' "
                "else 'month' end")
_AREA_LEVEL = "case when length(area) = 2 then 'country' else 'subdivision' end"


def employment_sources(db: Source, f: Filters) -> pd.DataFrame:
    """source, granularity (`year|quarter|month`), area_level (`country|subdivision`), rows,
    periods, first_period, last_period — every series family of the surveys (BLS included),
    filtered by role and region; most rows first."""
    return _run(db, f"""
        select source, {_GRANULARITY} as granularity, {_AREA_LEVEL} as area_level,
               count(*) as rows, count(distinct period) as periods,
               min(period) as first_period, max(period) as last_period
        from marts.employment
        where {_ROLE} and {_REGION}
        group by all
        order by rows desc, source, granularity, area_level
    """, _params(f, "role", "region"))  # noqa: S608


def employment_series(db: Source, f: Filters, source: str | None = None,
                      granularity: str | None = None,
                      area_level: str | None = None) -> pd.DataFrame:
    """period, period_start, area, role, source, granularity, area_level, employed,
    median_earnings, mean_earnings, earnings_basis, currency — one source, one granularity
    and one area level (never mixed), every period, filtered by role and region; as
    published. Without a source: the family with the most rows (employment_sources' first)."""
    series = {"source": source, "granularity": granularity, "area_level": area_level}
    return _run(db, f"""
        with rows as (
            select *, {_GRANULARITY} as granularity, {_AREA_LEVEL} as area_level
            from marts.employment
            where {_ROLE} and {_REGION}
        ),
        chosen as (
            select source, granularity, area_level from rows
            where $source::varchar is null
            group by all
            order by count(*) desc, source, granularity, area_level
            limit 1
        )
        select period, period_start, area, role, source, granularity, area_level,
               employed::bigint as employed, median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from rows
        where (source, granularity, area_level) in (
            select (source, granularity, area_level) from chosen
            union all
            select ($source::varchar, $granularity::varchar, $area_level::varchar))
        order by period_start, area, role
    """, {**_params(f, "role", "region"), **series})  # noqa: S608


def twin_arrival(db: Source, f: Filters) -> pd.DataFrame:
    """One row: first_use (the first month any brand based in the filter's regions used a
    twin; all brands when no region is chosen), first_use_any (any brand)."""
    return _run(db, f"""
        select min(adoption_month) filter (where {_HOME_REGION_BRANDS}) as first_use,
               min(adoption_month) as first_use_any
        from marts.brands
    """, _params(f, "region"))  # noqa: S608


_HOME_REGION_BRANDS = ("(len($region::varchar[]) = 0 "
                       "or list_contains($region::varchar[], home_region))")


# ---- rights -------------------------------------------------------------------------------

_YEARS = "year between year($start::date) and year($end::date)"
_IN_REGION = f"brand_id in (select brand_id from marts.brands where {_HOME_REGION_BRANDS})"  # noqa: S608, E501
# every brand: the mart's ALL rows (models counted once); else the chosen brands' rows summed
_RIGHTS_SCOPE = (f"((len($brand::varchar[]) = 0 and len($region::varchar[]) = 0 "
                 f"and brand_id = 'ALL') or (brand_id <> 'ALL' and "
                 f"(len($brand::varchar[]) > 0 or len($region::varchar[]) > 0) "
                 f"and {_BRAND} and {_IN_REGION}))")


# the scorecard's sums over marts.rights_scorecard rows, with the people behind them
_RIGHTS_SUMS = """sum(twin_assets)::bigint as twin_assets,
               sum(assets_met)::bigint as assets_met,
               sum(assets_not_met)::bigint as assets_not_met,
               sum(assets_unknown)::bigint as assets_unknown,
               sum(assets_met) / nullif(sum(twin_assets), 0) as share_met,
               sum(assets_not_met) / nullif(sum(twin_assets), 0) as share_not_met,
               sum(assets_unknown) / nullif(sum(twin_assets), 0) as share_unknown,
               any_value(people.models) as models,
               any_value(split.split_models) as split_models"""


def _rights_split(group: str, where: str, industry: bool = False) -> str:
    """A CTE `split`: per `group` × right, the fewest distinct models behind any non-empty
    status (met, not met, unknown) — public mode hides the split below k, since each part
    is total − the others. `industry`: every brand together (the table without brands)."""
    table = ("staging.int_usage_rights_people_industry" if industry
             else "staging.int_usage_rights_people")
    return f"""split as (
            select {group}"right", coalesce(least(
                nullif(count(*) filter (where met), 0),
                nullif(count(*) filter (where not_met), 0),
                nullif(count(*) filter (where unknown), 0)
            ), 0) as split_models
            from (
                -- one row per person first (over the years and brands chosen), then counted
                select {group}"right_name" as "right", person,
                       bool_or(met) as met, bool_or(not_met) as not_met,
                       bool_or(unknown) as unknown
                from {table}
                where {where}
                group by all
            )
            group by all
        )"""  # noqa: S608 — fragments of our own code; every value is bound


def _brands_chosen(f: Filters) -> str:
    """The brand and region filters, where a people table has brands; `true` without them
    (the table without brands is read then)."""
    return f"{_BRAND} and {_IN_REGION}" if _by_brand(f) else "true"


def _in_region(f: Filters) -> str:
    """The brand is based in one of the filter's regions (no lookup without the filter)."""
    return _IN_REGION if f.region else "true"


def rights_scorecard(db: Source, f: Filters) -> pd.DataFrame:
    """right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models — the ten rights over the years the period touches,
    for the selected brands together (every brand: the ALL rows). models: distinct models
    whose twins made those images (staging.int_usage_rights)."""
    return _run(db, f"""
        with picked as (
            select * from marts.rights_scorecard
            where {_YEARS} and {_RIGHTS_SCOPE}
        ),
        people as (
            select count(distinct person) as models from staging.int_usage_rights
            where {_YEARS} and {_BRAND} and {_in_region(f)}
        ),
        {_rights_split("", f"{_YEARS} and {_brands_chosen(f)}", industry=not _by_brand(f))}
        select "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from picked cross join people join split using ("right")
        group by "right"
        order by right_order
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def rights_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models — each selected brand over the years the period
    touches (models: distinct models whose twins the brand used in those years)."""
    return _run(db, f"""
        with {_rights_split("brand_id, ", _YEARS)}
        select brand_id, "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from marts.rights_scorecard
        join (select brand_id, count(distinct person) as models
              from staging.int_usage_rights where {_YEARS} group by brand_id) as people
            using (brand_id)
        join split using (brand_id, "right")
        where brand_id <> 'ALL' and {_YEARS} and {_BRAND} and {_in_region(f)}
        group by brand_id, "right"
        order by brand_id, right_order
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


def rights_by_year(db: Source, f: Filters) -> pd.DataFrame:
    """year, right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models —
    the trend of each right for the selected brands together (every brand: the ALL rows),
    every year in the data (the period filter does not apply: a trend shows them all)."""
    return _run(db, f"""
        with picked as (
            select * from marts.rights_scorecard
            where {_RIGHTS_SCOPE}
        ),
        people as (
            select year, count(distinct person) as models from staging.int_usage_rights
            where {_BRAND} and {_in_region(f)}
            group by year
        ),
        {_rights_split("year, ", _brands_chosen(f), industry=not _by_brand(f))}
        select year, "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from picked join people using (year) join split using (year, "right")
        group by year, "right"
        order by year, right_order
    """, _params(f, "brand", "region"))  # noqa: S608


# ---- images as evidence (scan-images) -----------------------------------------------------

def image_checks_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, images_checked, images_valid, images_ai_declared, images_no_training,
    images_linked_to_use, claimed_disclosed, claimed_not_found, found_not_claimed, models —
    per brand over the period: the images checked (their month: the linked use's, else the
    signature's or the check's) and, for images linked to a use, what the brand's export
    claims against what the image says (METHODOLOGY.md, "Images as evidence"). models:
    distinct models whose twins the linked images show. Images with no brand are left out."""
    return _run(db, f"""
        with checks as (
            select c.*, n.person_no
            from staging.stg_image_checks c
            left join staging.int_model_numbers n using (twin_id)
            where c.brand_id is not null and {_PERIOD} and {_BRAND} and {_in_region(f)}
        )
        select brand_id,
               count(*)::bigint as images_checked,
               count(*) filter (where valid)::bigint as images_valid,
               count(*) filter (where ai_declared)::bigint as images_ai_declared,
               count(*) filter (where training = 'not_allowed')::bigint as images_no_training,
               count(*) filter (where usage_known)::bigint as images_linked_to_use,
               count(*) filter (where usage_disclosed)::bigint as claimed_disclosed,
               count(*) filter (where usage_disclosed and not ai_declared)::bigint
                   as claimed_not_found,
               count(*) filter (where not usage_disclosed and ai_declared)::bigint
                   as found_not_claimed,
               count(distinct person_no)::bigint as models
        from checks
        group by brand_id
        order by brand_id
    """, _params(f, "start", "end", "brand", "region"))  # noqa: S608


# ---- provenance ---------------------------------------------------------------------------

def loads(db: Source) -> pd.DataFrame:
    """load_id, kind, file, status, finished_at, rows_in, inserted, updated, unchanged,
    quarantined, simulated, error — every load attempt, newest first."""
    return _run(db, """
        -- the file's name, not the loader's folder (no local paths in a published table)
        select load_id, kind, regexp_extract(file, '[^/\\\\]+$') as file, status,
               coalesce(finished_at, started_at) as finished_at,
               rows_in, inserted, updated, unchanged, quarantined, simulated, error
        from meta.loads
        order by load_id desc
    """)


def data_quality(db: Source) -> pd.DataFrame:
    """check_name, kind, rows, assets, description: references that do not join (no ids)."""
    return _run(db, """
        select check_name, kind, rows, assets, description
        from marts.data_quality
        order by rows desc, check_name
    """)


def quarantine_summary(db: Source) -> pd.DataFrame:
    """kind, file (its base name), column_name, rule, reason, rows: quarantined rows counted
    by why. `column_name` and `rule` never hold a value or key; `reason` quotes the value and
    is for the local single-user mode only (disclosure drops it for everyone else)."""
    return _run(db, """
        select kind, regexp_extract(file, '[^/\\\\]+$') as file,
               -- rows quarantined before the value-free form was recorded: nothing to show
               coalesce(column_name, '(not recorded)') as column_name,
               coalesce(rule, '(not recorded: load the file again to see it)') as rule,
               reason, count(*) as rows
        from meta.quarantine
        group by all
        order by rows desc, kind, file, column_name, rule, reason
    """)


def quarantine_of(db: Source, files: tuple[str, ...]) -> pd.DataFrame:
    """kind, file, line, reason, raw: the quarantined rows of the named files (one upload),
    from each file name's latest load (an earlier upload of the same name is not shown)."""
    return _run(db, """
        select kind, file, line, reason, raw::varchar as raw
        from meta.quarantine
        where list_contains($files, file)
          and load_id in (select max(load_id) from meta.loads
                          where list_contains($files, file) and status = 'loaded'
                          group by kind, file)
        order by kind, file, line
    """, {"files": list(files)})


def saved_mappings(db: Source, kind: str) -> pd.DataFrame:
    """name, text, saved_at: the column mappings saved for a kind (`load --save-map`),
    newest first; none in a warehouse that predates them."""
    return _run(db, """
        select name, text, saved_at from meta.mappings where kind = $kind
        order by saved_at desc, name
    """, {"kind": kind}) if _has_table(db, "meta", "mappings") else pd.DataFrame(
        columns=["name", "text", "saved_at"])


def _has_table(db: Source, schema: str, table: str) -> bool:
    return bool(_run(db, """
        select count(*) as n from duckdb_tables()
        where database_name = current_database() and schema_name = $schema
          and table_name = $table
    """, {"schema": schema, "table": table})["n"].iloc[0])


def quarantine_rows(db: Source) -> pd.DataFrame:
    """kind, file, line, reason, raw: every quarantined row with its values (person-level)."""
    return _run(db, """
        select kind, file, line, reason, raw::varchar as raw
        from meta.quarantine
        order by kind, file, line
    """)


def industry_contributions(db: Source) -> pd.DataFrame:
    """month, brand_id, shoot_income, twin_income: what each brand paid into the models'
    income (marts.model_income_monthly) each month — shoot fees of crew rows with role `model`
    on its known, non-cancelled bookings, and fees for uses of known twins. Only the
    disclosure layer reads it: it decides which industry figures a brand may see."""
    return _run(db, """
        with shoot as (
            select month, brand_id, sum(fee_total_rep)::double as shoot_income
            from staging.stg_booking_crew
            where booking_known and not is_cancelled and role = 'model'
            group by all
        ),
        twin as (
            select u.month, u.brand_id, sum(u.fee_paid_rep)::double as twin_income
            from staging.int_usage_cube u
            join staging.stg_twins t using (twin_id)
            group by all
        )
        select month, brand_id, coalesce(shoot.shoot_income, 0) as shoot_income,
               coalesce(twin.twin_income, 0) as twin_income
        from shoot full outer join twin using (month, brand_id)
        order by month, brand_id
    """)
