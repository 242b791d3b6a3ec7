"""What every query shares: the one door to the warehouse (`run`), the bound filter
predicates, the people sources behind a figure (CONTRACT §6) and the two-period headline form.

Every query opens a short-lived read-only connection (so a load can publish meanwhile), reads
the published marts (and meta.loads / meta.quarantine), and binds every value. Filter lists are
bound as arrays: an empty list means "all". No Streamlit here.
"""

from __future__ import annotations

import functools
import re
import sys
import typing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.filters import Filters, previous_period
from etl.warehouse import reader

# Shared filter predicate pieces, bound by name. `len(list) = 0` means no filter.
# list_contains, not `in (select unnest(…))`: no join to plan, a few ms less per query.
BRAND = "(len($brand::varchar[]) = 0 or list_contains($brand::varchar[], brand_id))"
CHANNEL = "(len($channel::varchar[]) = 0 or list_contains($channel::varchar[], channel))"
ROLE = "(len($role::varchar[]) = 0 or list_contains($role::varchar[], role))"
PERIOD = "month between $start::date and $end::date"
# Brand-level marts carry the brand's home region (marts.brands); employment has areas.
HOME_REGION = "(len($region::varchar[]) = 0 or list_contains($region::varchar[], region))"

# The people behind a figure (CONTRACT §6), counted exactly from staging at the figure's grain
# (the marts' per-cell counts cannot be added up: one person works in many cells). People are
# numbers there. With a brand or region filter the counts read one row per person and cell
# (`staging.int_*_people`, sorted by brand); without one they read bitmaps of the people of
# each month and cell (`staging.int_*_people_bits`), OR-ed together block by block — a few
# thousand rows instead of hundreds of thousands. `counted` writes either count.
# Twin use: the twin's model; a twin the warehouse does not know counts as a person of its own.
# Consent: with whether the use was covered by a valid licence (consent_code 0), watermarked
# and disclosed: a share's complement (the unlicensed, unwatermarked images) is a figure about
# the models behind it.
TWIN_FLAGS = """consent_code, consent_code > 0 as unlicensed, not watermarked as unwatermarked,
           not disclosed as undisclosed"""


class People(typing.NamedTuple):
    """A people source (our own SQL): rows of `person`, or of bitmaps (`block`, `seen`)."""

    sql: str
    bits: bool


def brand_filtered(f: Filters) -> bool:
    return bool(f.brand or f.region)


def twin_people(f: Filters, by_brand: bool = False, rows: bool = False) -> People:
    """The people source of twin use and consent figures; `rows`: one row per person (with
    assets) even without a brand filter."""
    if by_brand or brand_filtered(f):
        return People(f"""
    select p.brand_id, {REGION_OF(f)}, month, channel, person, assets, {TWIN_FLAGS}
    from staging.int_twin_people p {BRANDS_OF(f)}
""", False)  # noqa: S608
    if rows:
        return People(f"""
    select null::varchar as brand_id, null::varchar as region, month, channel, person, assets,
           {TWIN_FLAGS}
    from staging.int_twin_people_industry
""", False)  # noqa: S608
    return People(f"""
    select null::varchar as brand_id, null::varchar as region, month, channel, block, seen,
           {TWIN_FLAGS}
    from staging.int_twin_people_bits
""", True)  # noqa: S608


def crew_people(f: Filters) -> People:
    """The people source of crew figures: the crew members of the bookings the crew mart
    counts (known, not cancelled)."""
    if brand_filtered(f):
        return People(f"""
    select p.month, p.brand_id, p.role, {REGION_OF(f)}, p.person
    from staging.int_crew_people p {BRANDS_OF(f)}
""", False)  # noqa: S608
    return People("""
    select month, null::varchar as brand_id, role, null::varchar as region, block, seen
    from staging.int_crew_people_bits
""", True)


def counted(people: People, keys: str, flags: dict[str, str], where: str,
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
def REGION_OF(f: Filters) -> str:  # noqa: N802 — a SQL fragment, named like the constants
    return "b.home_region as region" if f.region else "null::varchar as region"


def BRANDS_OF(f: Filters) -> str:  # noqa: N802
    return "left join marts.brands b using (brand_id)" if f.region else ""



Source = Path | duckdb.DuckDBPyConnection  # a warehouse path, or an open reader to reuse


def execute(src: Source, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run one statement with its bound values (`dashboard.queries._run` is this function)."""
    # only the parameters the SQL names: a fragment left out (a filter that is not active)
    # leaves its parameter unused, which DuckDB refuses
    params = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}
    if isinstance(src, duckdb.DuckDBPyConnection):
        return src.execute(sql, params or {}).df()
    with reader(src) as con:
        return con.execute(sql, params or {}).df()


SQL_DIR = Path(__file__).resolve().parent / "sql"


@functools.cache
def sql(name: str) -> str:
    """A query that needs no fragment of ours: `dashboard/queries/sql/<name>.sql`, one SELECT
    named after what it returns (its values bound by name). The others are composed from the
    bound predicates and people sources here, by the filters that are set."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run(src: Source, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Every query's door: `dashboard.queries._run`, looked up when called, so that one
    replacement of it (the perf bench's timer, the release test's spy) sees every statement,
    those of `dashboard.public` included."""
    return sys.modules["dashboard.queries"]._run(src, sql, params)


def bound(f: Filters, *names: str, start: date | None = None,
            end: date | None = None) -> dict:
    """Bound parameters for the named filters (only those the SQL uses)."""
    values = {
        "start": start or f.start(), "end": end or f.end(),
        "brand": list(f.brand), "channel": list(f.channel), "role": list(f.role),
        "region": list(f.region),
    }
    return {n: values[n] for n in names}


def previous_start(f: Filters) -> date | None:
    """The first month of the period just before f's, of the same length."""
    if not (f.start() and f.end()):
        return None
    return previous_period(f.start(), f.end())[0]


def two_periods(db: Source, f: Filters, mart: str, where: str, filters_used: tuple[str, ...],
                 measures: str, people: tuple[People, dict[str, str]] | None = None
                 ) -> pd.DataFrame:
    """Two rows — the current period, then the previous one of the same length — of
    `measures` over `marts.<mart>`: the headline numbers and what they are compared with.
    `people`: (a people source, column → condition): the distinct people behind each period,
    counted in the same statement (`counted`).
    `mart`, `where` and `measures` are fragments of our own code; every value is bound.

    The cells are grouped by period directly (no join before the aggregate: half the time);
    a period without cells then has no row, and gets 0 for every measure written
    `coalesce(…, 0)` and empty for the others (a share of nothing)."""
    named = re.findall(r"(.*?)\bas (\w+)\s*(?:,|$)", " ".join(measures.split()))
    shown = ", ".join(f"coalesce(m.{name}, 0) as {name}" if expr.strip().startswith("coalesce(")
                      else f"m.{name}" for expr, name in named)
    src, columns = people if people else (People("select null::date as month where false",
                                                 False), {})
    per_period = (counted(src, "ord", columns,
                        f"month between $pstart::date and $end::date {where}",
                        extra="(month < $start::date)::int as ord") if columns
               else "select 0 as ord where false")
    picked = "".join(f", coalesce(n.{col}, 0) as {col}" for col in columns)
    return run(db, f"""
        with measured as (
            select (month < $start::date)::int as ord, {measures}, count(*) as cells
            from marts.{mart}
            where month between $pstart::date and $end::date {where}
            group by ord
        ),
        counted as ({per_period})
        select p.period, {shown}, coalesce(m.cells, 0) as cells{picked}
        from (values ('current', 0), ('previous', 1)) p(period, ord)
        left join measured m using (ord)
        left join counted n using (ord)
        order by p.ord
    """, {**bound(f, "start", "end", *filters_used), "pstart": previous_start(f)})  # noqa: S608



HOME_REGION_BRANDS = ("(len($region::varchar[]) = 0 "
                       "or list_contains($region::varchar[], home_region))")


IN_REGION = f"brand_id in (select brand_id from marts.brands where {HOME_REGION_BRANDS})"  # noqa: S608, E501


def in_region(f: Filters) -> str:
    """The brand is based in one of the filter's regions (no lookup without the filter)."""
    return IN_REGION if f.region else "true"
