"""The people behind each figure, counted by the dashboard's fast paths, against a brute-force
count written here straight from the staged rows.

The pages count people from numbered, pre-grouped tables: one without brands when no brand
or region filter is on (`staging.int_*_people_industry`), one with brands otherwise, joined to
the brands' home regions only when a region is chosen. Each path must give exactly the count
of distinct people a reader would get from the usage and crew rows themselves: the demo's
real ids (model ids, crew person ids), not our numbers, and no pre-grouped table.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dashboard import queries
from dashboard.filters import Filters

CUR = (date(2025, 1, 1), date(2025, 6, 1))
PREV = (date(2024, 7, 1), date(2024, 12, 1))  # the period before, of the same length

# Twin use (the usage cube: each use's consent judged, grouped by twin, no person numbers):
# each use's person is its twin's model, an unknown twin a person of its own.
USES = """
    select u.month, u.brand_id, u.channel, b.home_region as region,
           coalesce(t.model_id, 'twin:' || u.twin_id) as person,
           u.consent_code > 0 as unlicensed, not u.watermarked as unwatermarked,
           not u.disclosed as undisclosed
    from staging.int_usage_cube u
    left join staging.stg_twins t using (twin_id)
    left join marts.brands b using (brand_id)
"""
CREW = """
    select c.month, c.brand_id, c.role, b.home_region as region, c.person_id as person
    from staging.stg_booking_crew c
    left join marts.brands b using (brand_id)
    where c.booking_known and not c.is_cancelled
"""


def brute(con, source: str, period: tuple[date, date], f: Filters, extra: str = "true",
          channel: bool = True, role: bool = False) -> int:
    where = ["month between ? and ?", extra]
    params: list = list(period)
    for key, column, used in (("brand", "brand_id", True), ("region", "region", True),
                              ("channel", "channel", channel), ("role", "role", role)):
        if used and getattr(f, key):
            where.append(f"{column} in (select unnest(?::varchar[]))")
            params.append(list(getattr(f, key)))
    sql = f"select count(distinct person) from ({source}) where {' and '.join(where)}"
    return con.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def variants(con) -> dict[str, Filters]:
    brands = tuple(r[0] for r in con.execute(
        "select brand_id from marts.brands order by brand_id").fetchall())
    region = con.execute("select home_region from marts.brands where home_region is not null "
                         "group by all order by count(*) desc, 1 limit 1").fetchone()[0]
    period = {"from_month": "2025-01", "to_month": "2025-06"}
    return {
        "no filter (industry tables)": Filters(**period),
        "every brand named (brand tables)": Filters(**period, brand=brands),
        "one region (brand tables + home regions)": Filters(**period, region=(region,)),
        "two brands, a channel and a role": Filters(**period, brand=brands[4:6],
                                                    channel=("ecommerce",),
                                                    role=("photographer", "stylist")),
        "a channel and a role, no brand (bitmaps)": Filters(**period, channel=("ecommerce",),
                                                            role=("photographer", "stylist")),
    }


@pytest.mark.parametrize("variant", [0, 1, 2, 3, 4])
def test_headline_people_match_a_brute_force_count(con, variant):
    name, f = list(variants(con).items())[variant]
    got = queries.displacement_totals(con, f)
    assert list(got["models"]) == [brute(con, USES, p, f) for p in (CUR, PREV)], name
    got = queries.crew_totals(con, f)
    assert list(got["people"]) == [
        brute(con, CREW, p, f, channel=False, role=True) for p in (CUR, PREV)], name
    got = queries.consent_totals(con, f)
    for col, flag in (("people", "true"), ("unlicensed_people", "unlicensed"),
                      ("unwatermarked_people", "unwatermarked"),
                      ("undisclosed_people", "undisclosed")):
        assert list(got[col]) == [brute(con, USES, p, f, flag, channel=False)
                                  for p in (CUR, PREV)], (name, col)
    # the demo has people behind every one of these: a count of 0 would prove nothing
    assert got["people"].iloc[0] > 0 and got["unlicensed_people"].iloc[0] > 0


@pytest.mark.parametrize("variant", [0, 1, 2, 3, 4])
def test_grouped_people_match_a_brute_force_count(con, variant):
    name, f = list(variants(con).items())[variant]
    for _, row in queries.crew_by_role(con, f).iterrows():
        assert row["people"] == brute(con, CREW, CUR, f, f"role = '{row['role']}'",
                                      channel=False, role=True), (name, row["role"])
    for _, row in queries.twin_share_by_channel(con, f).iterrows():
        month = row["month"].date()
        assert row["models"] == brute(con, USES, (month, month), f,
                                      f"channel = '{row['channel']}'"), (name, month)
    for _, row in queries.consent_over_time(con, f).iterrows():
        month = row["month"].date()
        assert (row["people"], row["unlicensed_people"]) == (
            brute(con, USES, (month, month), f, channel=False),
            brute(con, USES, (month, month), f, "unlicensed", channel=False)), (name, month)
    for _, row in queries.shoot_days_vs_expected(con, f).iterrows():
        month = row["month"].date()
        assert row["models"] == brute(con, USES, (month, month), f), (name, month)
    for _, row in queries.crew_income_by_year_role(con, f).iterrows():
        year = int(row["year"])
        assert row["people"] == brute(con, CREW, CUR, f, f"role = '{row['role']}' and "
                                      f"year(month) = {year}", channel=False, role=True), (
            name, year, row["role"])
    for _, row in queries.twin_share_by_half(con, f).iterrows():
        y, h = int(row["half"][:4]), int(row["half"][-1])
        half = (date(y, 1 + 6 * (h - 1), 1), date(y, 6 * h, 1))
        assert row["models"] == brute(con, USES, half, f, f"channel = '{row['channel']}'"), (
            name, row["half"], row["channel"])
    for _, row in queries.brands_ranked(con, f).iterrows():
        assert row["models"] == brute(con, USES, CUR, f, f"brand_id = '{row['brand_id']}'"), (
            name, row["brand_id"])


def test_model_earners_match_a_brute_force_count(con):
    f = Filters("2025-01", "2025-06")
    got = queries.model_income_totals(con, f)
    for period, i in ((CUR, 0), (PREV, 1)):
        shoot, twin = con.execute("""
            select count(distinct model_id) filter (where shoot_income > 0),
                   count(distinct model_id) filter (where twin_income > 0)
            from marts.model_income_monthly where month between ? and ?""",
                                  list(period)).fetchone()
        assert (got["models_shoot"].iloc[i], got["models_twin"].iloc[i]) == (shoot, twin)
        assert shoot > 0 and twin > 0


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_rights_people_match_a_brute_force_count(con, variant):
    name, f = list(variants(con).items())[variant]
    card = queries.rights_scorecard(con, f).set_index("right")
    long = f"""
        select l.year, l.brand_id, b.home_region as region, l.right_name,
               coalesce(t.model_id, 'twin:' || r.twin_id) as person, l.status, l.assets
        from staging.int_usage_rights_long l
        join staging.int_model_numbers r on r.person_no = l.person
        left join staging.stg_twins t on t.twin_id = r.twin_id
        left join marts.brands b on b.brand_id = l.brand_id
        where l.year = 2025 and l.assets > 0
          {"and l.brand_id in (select unnest(?::varchar[]))" if f.brand else ""}
          {"and b.home_region in (select unnest(?::varchar[]))" if f.region else ""}"""
    params = [list(x) for x in (f.brand, f.region) if x]
    models = con.execute(f"select count(distinct person) from ({long})", params).fetchone()[0]
    assert set(card["models"]) == {models}, name
    split = dict(con.execute(f"""
        select right_name, coalesce(least(
            nullif(count(distinct person) filter (where status = 1), 0),
            nullif(count(distinct person) filter (where status = 0), 0),
            nullif(count(distinct person) filter (where status is null), 0)), 0)
        from ({long}) group by all""", params).fetchall())
    assert card["split_models"].to_dict() == split, name
