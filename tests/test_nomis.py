"""fetch-nomis over httpx.MockTransport: the exact request, parsing, paging, the rows loaded.

The canned bodies have the shape of the Nomis API's CSV (the standard DATE…/GEOGRAPHY…/
<dimension>…/MEASURES…/OBS_… /RECORD_… columns); no test touches the network.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import duckdb
import httpx
import pytest
from conftest import run_cli

from etl import nomis
from etl.errors import UserError

HEADER = ("DATE,DATE_NAME,DATE_CODE,DATE_TYPE,DATE_TYPECODE,DATE_SORTORDER,GEOGRAPHY,"
          "GEOGRAPHY_NAME,GEOGRAPHY_CODE,GEOGRAPHY_TYPE,GEOGRAPHY_TYPECODE,"
          "GEOGRAPHY_SORTORDER,C_SEX,C_SEX_NAME,SOC2020_FULL,SOC2020_FULL_NAME,ETYPE,"
          "ETYPE_NAME,MEASURES,MEASURES_NAME,OBS_VALUE,OBS_STATUS,OBS_STATUS_NAME,OBS_CONF,"
          "OBS_CONF_NAME,URN,RECORD_OFFSET,RECORD_COUNT")


def cell(year_name, soc_id, soc_name, etype, etype_name, value, status="A",
         status_name="Normal Value", offset=0, count=8):
    # the date code is the period's last month: 2023-12 for Jan 2023-Dec 2023
    months = {"Dec": "12", "Sep": "09"}
    date = f"{year_name[-4:]}-{months[year_name[-8:-5]]}"
    return (f'{date},{year_name},{date},date,0,0,2092957697,United Kingdom,K02000001,'
            f'countries,499,0,0,All persons,{soc_id},"{soc_name}",{etype},{etype_name},20100,'
            f'Value,{value},{status},{status_name},F,Free (free of disclosure),'
            f'Nm-218d1d32e0,{offset},{count}')


PHOTO = "3417 : Photographers, audio-visual and broadcasting equipment operators"
ACTORS = "3413 : Actors, entertainers and presenters"
BEAUTY = "6222 : Beauticians and related occupations"
PROGRAMMERS = "2134 : Programmers and software development professionals"
Y23 = "Jan 2023-Dec 2023"
PAGE_1 = "\n".join([
    HEADER,
    cell(Y23, 1711276033, PHOTO, 0, "All in employment", 71500, offset=0),
    cell(Y23, 1711276033, PHOTO, 1, "Employees", 25300, offset=1),
    cell(Y23, 1711276033, PHOTO, 2, "Self employed", 45900, offset=2),
    cell(Y23, 1711276029, ACTORS, 1, "Employees", "23600", "E",
         "Estimate is less reliable", offset=3),
]) + "\n"
PAGE_2 = "\n".join([
    HEADER,
    cell(Y23, 1711276029, ACTORS, 2, "Self employed", 52800, offset=4),
    cell(Y23, 1711276190, BEAUTY, 2, "Self employed", "", "Q",
         "Estimate suppressed: sample too small", offset=5),
    cell(Y23, 1711276001, PROGRAMMERS, 1, "Employees", 512000, offset=6),
    cell("Oct 2022-Sep 2023", 1711276033, PHOTO, 1, "Employees", 24000, offset=7),
]) + "\n"


class Recorder:
    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.bodies.pop(0)
        return httpx.Response(body, text="busy") if isinstance(body, int) else \
            httpx.Response(200, text=body)


def client(rec):
    return httpx.Client(transport=httpx.MockTransport(rec))


CAVEAT_3417 = ("SOC 2020 3417 Photographers, audio-visual and broadcasting equipment "
               "operators: Includes audio-visual and broadcasting equipment operators as well "
               "as photographers; not fashion photographers alone.")
CAVEAT_3413 = ("SOC 2020 3413 Actors, entertainers and presenters: Models are coded here, but "
               "the group is not models alone: actors, entertainers and presenters dominate "
               "it, so its count is an upper bound for models, not a count of them.")


def test_fetch_nomis_requests_pages_and_loads_the_expected_rows(tmp_path):
    rec = Recorder(PAGE_1, PAGE_2)
    db = tmp_path / "w.duckdb"
    out = nomis.fetch_and_load(db, 2023, 2024, client=client(rec), raw_dir=tmp_path / "raw",
                               sleep=None, today=dt.date(2026, 12, 7))
    # the exact calls: the documented query, then the second page by record offset
    base = {"geography": "2092957697", "date": "2023-12,2024-12", "c_sex": "0",
            "jtype": "0", "ftpt": "0", "etype": "0,1,2", "measure": "1",
            "measures": "20100"}
    assert [(urlsplit(str(r.url))._replace(query="").geturl(),
             dict(parse_qsl(urlsplit(str(r.url)).query))) for r in rec.requests] == [
        (nomis.API, base), (nomis.API, {**base, "recordoffset": "4"})]
    assert [r.method for r in rec.requests] == ["GET", "GET"]
    assert {k: out[k] for k in ("rows", "requests", "other_occupations",
                                "other_periods_or_areas", "suppressed")} == {
        "rows": 5, "requests": 2, "other_occupations": 1, "other_periods_or_areas": 1,
        "suppressed": 1}
    assert out["load"]["status"] == "loaded" and out["load"]["inserted"] == 5
    assert len(list((tmp_path / "raw").glob("nomis-NM_218_1-*-0?.csv"))) == 2
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select period, area, role, employed, source, source_url, note, median_earnings, "
            "earnings_basis from raw.crew_employment order by role, source").fetchall()
    url = "https://www.nomisweb.co.uk/datasets/apsnew"
    assert rows == [
        ("2023", "GB", "model", 23600, "ONS APS NM_218_1 (employees)", url,
         CAVEAT_3413 + " Nomis status E (Estimate is less reliable).", None, None),
        ("2023", "GB", "model", 52800, "ONS APS NM_218_1 (self-employed)", url, CAVEAT_3413,
         None, None),
        ("2023", "GB", "photographer", 71500, "ONS APS NM_218_1 (all in employment)", url,
         CAVEAT_3417, None, None),
        ("2023", "GB", "photographer", 25300, "ONS APS NM_218_1 (employees)", url,
         CAVEAT_3417, None, None),
        ("2023", "GB", "photographer", 45900, "ONS APS NM_218_1 (self-employed)", url,
         CAVEAT_3417, None, None),
    ]


def test_fetch_nomis_retries_a_busy_server_and_explains_a_refusal(tmp_path):
    rec = Recorder(503, PAGE_2.replace(",8\n", ",4\n").replace(",4,", ",0,", 1))
    waits = []
    texts = nomis.fetch(2023, 2023, client=client(rec), raw_dir=tmp_path, sleep=waits.append,
                        stamp="T")
    assert (len(rec.requests), waits, len(texts)) == (2, [1.0], 1)
    with pytest.raises(UserError, match=r"the Nomis API refused the request \(HTTP 400\)"):
        nomis.fetch(2023, 2023, client=client(Recorder(400)), raw_dir=tmp_path, sleep=None)
    with pytest.raises(UserError, match="answered without the expected columns"):
        nomis.parse(["<html>maintenance</html>\n"])


def test_fetch_nomis_cli_refuses_years_before_soc_2020(tmp_path):
    p = run_cli("fetch-nomis", "--from", "2019", "--to", "2023", "--db", tmp_path / "w.duckdb")
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.startswith("error: --from 2019 --to 2023: give years with 2021 <= --from")


def test_the_shipped_codes_name_every_role_once_with_a_caveat():
    soc = nomis.occupation_codes()
    assert {c: r["role"] for c, r in soc.items()} == {
        "3413": "model", "3417": "photographer", "3422": "other", "7125": "stylist",
        "6221": "hair", "6222": "makeup"}
    assert soc["6222"]["caveat"].startswith("Unverified: where make-up artists are coded")
    isco = nomis.occupation_codes(scheme="ISCO-08")
    assert sorted(isco) == ["2163", "3431", "5141", "5142", "5241"]
    assert all(r["caveat"] for r in [*soc.values(), *isco.values()])


@pytest.mark.parametrize(("date", "name", "year"), [
    ("2023-12", "Jan 2023-Dec 2023", "2023"), ("2023-12", "Jan 2023 - Dec 2023", "2023"),
    ("2023-09", "Oct 2022-Sep 2023", None), ("2024-12", "January 2024-December 2024", "2024"),
    ("2024-06", "", None)])
def test_only_calendar_years_are_loaded(date, name, year):
    assert nomis._calendar_year({"DATE": date, "DATE_NAME": name}) == year
