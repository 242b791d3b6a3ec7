"""Filters ⇄ URL, previous periods, CSV neutralising and public-mode suppression (pure code)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import export, filters, privacy
from dashboard.filters import Filters, Known

KNOWN = Known(months=("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"),
              brands=("A", "C"), regions=("GB", "SE"))


@pytest.mark.parametrize("f", [
    Filters(),
    Filters(from_month="2025-02", to_month="2025-05"),
    Filters(brand=("A", "C"), region=("GB",), channel=("ecommerce", "social"),
            role=("stylist", "hair_makeup")),
    Filters(from_month="2025-03", brand=("C",)),
])
def test_filters_url_round_trip(f):
    params = filters.to_params(f)
    back, warnings = filters.parse(params, KNOWN)
    assert back == f
    assert warnings == []


def test_to_params_is_compact_and_comma_joined():
    f = Filters(from_month="2025-02", brand=("A", "C"), role=("stylist",))
    assert filters.to_params(f) == {"from": "2025-02", "brand": "A,C", "role": "stylist"}


@pytest.mark.parametrize("params, expected, needle", [
    ({"from": "2025-13"}, Filters(), "from='2025-13'"),
    ({"to": "' OR 1=1 --"}, Filters(), "to=\"' OR 1=1 --\""),
    ({"brand": "' OR 1=1 --"}, Filters(), "brand=\"' OR 1=1 --\""),
    ({"brand": "A,ZZ"}, Filters(brand=("A",)), "brand='ZZ'"),
    ({"channel": "ecommerce,tiktok"}, Filters(channel=("ecommerce",)), "channel='tiktok'"),
    ({"role": "model;drop table x"}, Filters(), "role='model;drop table x'"),
    ({"region": "gb"}, Filters(), "region='gb'"),
    ({"from": "2025-05", "to": "2025-02"}, Filters(), "the start is after the end"),
])
def test_invalid_values_warn_and_fall_back(params, expected, needle):
    f, warnings = filters.parse(params, KNOWN)
    assert f == expected
    assert len(warnings) == 1 and needle in warnings[0]


def test_repeated_and_blank_list_items_are_dropped():
    f, warnings = filters.parse({"brand": " A , ,A,C "}, KNOWN)
    assert f.brand == ("A", "C") and warnings == []


def test_resolve_fills_the_data_period():
    assert filters.resolve(Filters(to_month="2025-04"), KNOWN) == Filters(
        from_month="2025-01", to_month="2025-04")


@pytest.mark.parametrize("start, end, prev", [
    (date(2025, 4, 1), date(2025, 6, 1), (date(2025, 1, 1), date(2025, 3, 1))),
    (date(2026, 1, 1), date(2026, 6, 1), (date(2025, 7, 1), date(2025, 12, 1))),
    (date(2025, 1, 1), date(2025, 1, 1), (date(2024, 12, 1), date(2024, 12, 1))),
])
def test_previous_period_has_the_same_length(start, end, prev):
    assert filters.previous_period(start, end) == prev


def test_csv_neutralises_formulas_in_text_but_not_numbers():
    df = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "\tx", "ok"],
                       "value": [-5.5, -1, 0, 1, 2, 3]})
    text = export.to_csv(df).decode()
    assert text.splitlines() == [
        "name,value", "'=cmd|' /C calc'!A0,-5.5", "'+1,-1.0", "'-x,0.0", "'@SUM(A1),1.0",
        "'\tx,2.0", "ok,3.0"]
    assert export.label(df) == "Download data as CSV (6 rows)"
    assert export.label(df.head(1)) == "Download data as CSV (1 row)"


def test_suppress_hides_small_groups_and_marks_them():
    df = pd.DataFrame({"role": ["photographer", "stylist"], "crew_days": [6.0, 3.0],
                       "people": [6, 3]})
    out = privacy.suppress(df, {"people": ["crew_days"]}, 5)
    assert out["crew_days"].tolist()[0] == 6.0 and pd.isna(out["crew_days"].tolist()[1])
    assert pd.isna(out["people"].tolist()[1])
    assert out["suppressed"].tolist() == ["", "suppressed: fewer than 5 people"]
    assert privacy.suppress(df, {"people": ["crew_days"]}, None) is df


@pytest.mark.parametrize("k, points", [(None, 61), (5, 11), (7, 6), (13, 0)])
def test_public_lorenz_keeps_only_steps_of_k_models(k, points):
    # 60 models, one point each (+ the origin): every step would be one person's income
    n = 60
    curve = pd.DataFrame({"cohort": "all", "models": n,
                          "pop_share": [i / n for i in range(n + 1)],
                          "income_share": [(i / n) ** 2 for i in range(n + 1)]})
    out = privacy.coarse_lorenz(curve, k)
    assert len(out) == points
    if points == 11:
        assert out["pop_share"].round(2).tolist() == [i / 10 for i in range(11)]
