"""fetch-bls over httpx.MockTransport: exact request bodies, retries, parsing, loading."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import marts_fixture as mf
import pytest

from etl import bls
from etl.errors import UserError

MODELS_EMP = "OEUN000000000000041901201"
MODELS_MEDIAN = "OEUN000000000000041901213"
MODELS_MEAN = "OEUN000000000000041901204"
PHOTO_EMP = "OEUN000000000000027402101"
PHOTO_HOURLY_MEDIAN = "OEUN000000000000027402108"
HAIR_EMP = "OEUN000000000000039501201"


def point(year: str, value: str) -> dict:
    return {"year": year, "period": "A01", "periodName": "Annual", "value": value,
            "footnotes": [{}]}


OK_BODY = {
    "status": "REQUEST_SUCCEEDED", "responseTime": 120, "message": [],
    "Results": {"series": [
        {"seriesID": MODELS_EMP, "data": [point("2023", "3,090")]},
        {"seriesID": MODELS_MEDIAN, "data": [point("2023", "47430")]},
        {"seriesID": MODELS_MEAN, "data": [point("2023", "-")]},        # suppressed
        {"seriesID": PHOTO_EMP, "data": [point("2023", "38420")]},
        {"seriesID": PHOTO_HOURLY_MEDIAN, "data": [point("2023", "18.73")]},
        {"seriesID": HAIR_EMP, "data": [point("2023", "*")]},           # no employment
    ]},
}


class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, text="busy")
        return httpx.Response(200, json=answer)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


def client(recorder: Recorder) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(recorder))


def test_series_ids():
    assert bls.series_id("41-9012", "01") == MODELS_EMP
    assert len(MODELS_EMP) == 25
    ids = bls.all_series()
    assert len(ids) == 35 and ids[:5] == [
        "OEUN000000000000041901201", "OEUN000000000000041901203",
        "OEUN000000000000041901204", "OEUN000000000000041901208",
        "OEUN000000000000041901213"]


def test_registered_key_sends_one_v2_query_per_20_years(tmp_path):
    rec = Recorder(OK_BODY)
    bls.fetch(2000, 2024, key="K3Y", client=client(rec), raw_dir=tmp_path, sleep=None,
              stamp="T")
    assert [str(r.url) for r in rec.requests] == [bls.API_V2] * 2
    assert rec.bodies() == [
        {"seriesid": bls.all_series(), "startyear": "2000", "endyear": "2019",
         "registrationkey": "K3Y"},
        {"seriesid": bls.all_series(), "startyear": "2020", "endyear": "2024",
         "registrationkey": "K3Y"},
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bls-oews-T-01.json",
                                                          "bls-oews-T-02.json"]
    assert json.loads((tmp_path / "bls-oews-T-01.json").read_text()) == OK_BODY


def test_without_key_v1_limits_25_series_10_years(tmp_path):
    rec = Recorder(OK_BODY)
    bls.fetch(2011, 2024, key=None, client=client(rec), raw_dir=tmp_path, sleep=None)
    ids = bls.all_series()
    assert [str(r.url) for r in rec.requests] == [bls.API_V1] * 4
    assert rec.bodies() == [
        {"seriesid": ids[:25], "startyear": "2011", "endyear": "2020"},
        {"seriesid": ids[25:], "startyear": "2011", "endyear": "2020"},
        {"seriesid": ids[:25], "startyear": "2021", "endyear": "2024"},
        {"seriesid": ids[25:], "startyear": "2021", "endyear": "2024"},
    ]


def test_retries_with_backoff_on_5xx_and_network_errors(tmp_path):
    rec = Recorder(503, httpx.ConnectError("refused"), 502, OK_BODY)
    slept = []
    bodies = bls.fetch(2023, 2023, key="K", client=client(rec), raw_dir=tmp_path,
                       sleep=slept.append)
    assert bodies == [OK_BODY]
    assert len(rec.requests) == 4 and slept == [1.0, 2.0, 4.0]


def test_gives_up_after_four_attempts(tmp_path):
    rec = Recorder(httpx.ReadTimeout("slow"))
    slept = []
    with pytest.raises(UserError, match=r"did not answer after 4 attempts \(ReadTimeout: slow"):
        bls.fetch(2023, 2023, key="K", client=client(rec), raw_dir=tmp_path,
                  sleep=slept.append)
    assert len(rec.requests) == 4 and slept == [1.0, 2.0, 4.0]


def test_client_errors_are_not_retried(tmp_path):
    rec = Recorder(403)
    with pytest.raises(UserError, match=r"refused the request \(HTTP 403\)"):
        bls.fetch(2023, 2023, key="K", client=client(rec), raw_dir=tmp_path, sleep=None)
    assert len(rec.requests) == 1


def test_request_not_processed_is_a_clear_error_and_the_response_is_kept(tmp_path):
    body = {"status": "REQUEST_NOT_PROCESSED", "responseTime": 5, "Results": {},
            "message": ["Request could not be serviced, as the daily threshold for total "
                        "number of requests allocated to the user has been reached."]}
    rec = Recorder(body)
    with pytest.raises(UserError, match="REQUEST_NOT_PROCESSED: Request could not be serviced"):
        bls.fetch(2023, 2023, key="K", client=client(rec), raw_dir=tmp_path, sleep=None,
                  stamp="T")
    assert json.loads((tmp_path / "bls-oews-T-01.json").read_text()) == body


def test_results_as_list_or_object_parse_the_same():
    as_list = {**OK_BODY, "Results": [OK_BODY["Results"]]}
    assert bls.parse([as_list]) == bls.parse([OK_BODY])


def test_parse_rows_keep_suppressed_values_missing():
    rows, skipped = bls.parse([OK_BODY])
    assert skipped == 1  # hair 2023: employment '*'
    assert rows == [
        {"period": "2023", "area": "US", "role": "photographer", "employed": "38420",
         "hours_worked": "", "median_earnings": "18.73", "mean_earnings": "",
         "earnings_basis": "hour", "currency": "USD", "source": "BLS OEWS",
         "source_url": "https://data.bls.gov/timeseries/" + PHOTO_EMP},
        {"period": "2023", "area": "US", "role": "model", "employed": "3090",
         "hours_worked": "", "median_earnings": "47430", "mean_earnings": "",
         "earnings_basis": "year", "currency": "USD", "source": "BLS OEWS",
         "source_url": "https://data.bls.gov/timeseries/" + MODELS_EMP},
    ]


def test_fetch_and_load_goes_through_the_loader(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    out = bls.fetch_and_load(db, 2023, 2023, key="K", client=client(Recorder(OK_BODY)),
                             raw_dir=tmp_path / "raw", sleep=None)
    assert (out["rows"], out["requests"], out["load"]["status"], out["load"]["inserted"]) == (
        2, 1, "loaded", 2)
    assert mf.rows(db, """
        select period, role, employed, median_earnings, mean_earnings, earnings_basis,
               currency, source
        from marts.employment order by role""") == [
        ("2023", "model", 3090, Decimal("47430.0000"), None, "year", "USD", "BLS OEWS"),
        ("2023", "photographer", 38420, Decimal("18.7300"), None, "hour", "USD", "BLS OEWS"),
    ]


def test_fetch_bls_json_is_the_fetch_and_its_load(tmp_path):
    out = bls.fetch_and_load(tmp_path / "w.duckdb", 2023, 2023, key="K",
                             client=client(Recorder(OK_BODY)), raw_dir=tmp_path / "raw",
                             sleep=None)
    doc = json.loads(bls.summary(out, "K", as_json=True))
    assert doc == {**json.loads(json.dumps(out)), "api": "v2"}
    assert (doc["rows"], doc["requests"], doc["skipped_no_employment"], doc["load"]["status"],
            doc["load"]["inserted"], doc["load"]["kind"]) == (2, 1, 1, "loaded", 2,
                                                            "crew-employment")
    assert bls.summary(out, None).startswith(
        "fetched 2 OEWS role-year rows in 1 request(s) (v1 without key")


def test_no_figures_is_a_user_error(tmp_path):
    empty = {"status": "REQUEST_SUCCEEDED", "message": [], "Results": {"series": []}}
    with pytest.raises(UserError, match="returned no employment figures for 2023–2023"):
        bls.fetch_and_load(tmp_path / "w.duckdb", 2023, 2023, key=None,
                           client=client(Recorder(empty)), raw_dir=tmp_path, sleep=None)
    assert not (tmp_path / "w.duckdb").exists()


def test_cli_rejects_reversed_years(tmp_path):
    from conftest import run_cli
    proc = run_cli("fetch-bls", "--from", "2024", "--to", "2019", "--db", tmp_path / "w.duckdb")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: --from 2024 --to 2019: give years")
