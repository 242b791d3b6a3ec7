"""The shipped BLS OEWS reference, mapped to crew-employment and loaded like any file."""

from __future__ import annotations

import csv
from decimal import Decimal

import marts_fixture as mf
import pytest

from etl import reference
from etl.errors import UserError
from etl.load import load_paths


def test_reference_rows_map_soc_codes_to_roles():
    rows = reference.reference_rows()
    assert [(r["period"], r["role"], r["employed"], r["median_earnings"], r["mean_earnings"])
            for r in rows] == [
        ("2023", "model", "3090", "47430", "68700"),
        ("2021", "photographer", "38420", "38950", "48210"),
        ("2023", "hair", "294840", "34970", "41780"),
        ("2010", "hair", "349420", "22760", "26510"),
    ]
    assert {(r["area"], r["earnings_basis"], r["currency"], r["source"]) for r in rows} == {
        ("US", "year", "USD", "BLS OEWS")}
    assert rows[0]["source_url"] == "https://www.bls.gov/OES/CURRENT/oes419012.htm"


def test_write_bls_crew_employment_loads_into_the_employment_mart(tmp_path):
    path = reference.write_bls_crew_employment(tmp_path / "bls.csv")
    with open(path, newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(reference.CREW_EMPLOYMENT_COLUMNS)
    db = tmp_path / "warehouse.duckdb"
    [result] = load_paths(db, "crew-employment", [path])
    assert (result["status"], result["inserted"], result["quarantined"]) == ("loaded", 4, 0)
    got = mf.rows(db, """
        select period, area, role, source, employed, median_earnings, mean_earnings,
               earnings_basis, currency, source_url, simulated
        from marts.employment where role in ('model', 'photographer') order by period""")
    assert got == [
        ("2021", "US", "photographer", "BLS OEWS", 38420, Decimal("38950.0000"),
         Decimal("48210.0000"), "year", "USD", "https://www.bls.gov/OES/current/oes274021.htm",
         False),
        ("2023", "US", "model", "BLS OEWS", 3090, Decimal("47430.0000"),
         Decimal("68700.0000"), "year", "USD", "https://www.bls.gov/OES/CURRENT/oes419012.htm",
         False),
    ]


def test_unreadable_reference_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot read the BLS reference file"):
        reference.reference_rows(tmp_path / "missing.csv")


def test_reference_period_without_year_is_a_user_error(tmp_path):
    bad = tmp_path / "ref.csv"
    bad.write_text("reference_period,area,soc_code,employment,median_annual_wage,"
                   "mean_annual_wage,url\nMay,US,41-9012,1,2,3,u\n")
    with pytest.raises(UserError, match="line 2: reference_period 'May' names no year"):
        reference.reference_rows(bad)
