"""`twinimpact fetch-bls`: OEWS figures from the BLS Public Data API, loaded as crew-employment.

Series ids (25 characters): `OEU` + `N` (national) + `0000000` (area) + `000000` (all
industries) + the SOC code without its dash + a 2-digit datatype. With a key (BLS_API_KEY)
the v2 endpoint takes 50 series and 20 years per query; without one, the v1 endpoint takes
25 and 10. Every response is saved under data/raw/ before it is parsed; the parsed rows are
written as a crew-employment CSV and loaded through the normal loader.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from etl import config
from etl.errors import UsageError, UserError
from etl.reference import SOC_ROLES, SOURCE, write_crew_employment

API_V2 = "https://api.bls.gov/publicAPI/v2/timeseries/data/"
API_V1 = "https://api.bls.gov/publicAPI/v1/timeseries/data/"
DATATYPES = {
    "01": "employment",
    "03": "hourly_mean",
    "04": "annual_mean",
    "08": "hourly_median",
    "13": "annual_median",
}
REGISTERED_LIMITS = (50, 20)     # series, years per query
UNREGISTERED_LIMITS = (25, 10)
ATTEMPTS = 4                     # 1 try + 3 retries
BACKOFF_SECONDS = 1.0            # 1, 2, 4 s between attempts
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
SUPPRESSED = {"-", "*", "#", "**", ""}
SERIES_PAGE = "https://data.bls.gov/timeseries/"
FIRST_YEAR = 1997  # OEWS national series start here


def series_id(soc: str, datatype: str) -> str:
    """The national, all-industry OEWS series of one SOC code and datatype."""
    return f"OEUN0000000000000{soc.replace('-', '')}{datatype}"


def all_series() -> list[str]:
    """Every shoot role's SOC code × every datatype, in a fixed order."""
    return [series_id(soc, dtype) for soc in SOC_ROLES for dtype in DATATYPES]


def batches(series: list[str], start: int, end: int, max_series: int,
            max_years: int) -> Iterator[tuple[list[str], int, int]]:
    """Split a request into queries of at most max_series series and max_years years."""
    for first in range(start, end + 1, max_years):
        last = min(first + max_years - 1, end)
        for i in range(0, len(series), max_series):
            yield series[i:i + max_series], first, last


def request_body(series: list[str], start: int, end: int, key: str | None) -> dict:
    body: dict = {"seriesid": series, "startyear": str(start), "endyear": str(end)}
    if key:
        body["registrationkey"] = key
    return body


def post(client: httpx.Client, url: str, body: dict, *,
         sleep: Callable[[float], None] = time.sleep) -> dict:
    """POST with retries and exponential backoff on network errors and 5xx; JSON back."""
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            response = client.post(url, json=body)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            continue
        if response.status_code >= 500:
            problem = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise UserError(f"the BLS API refused the request (HTTP {response.status_code}); "
                            "check BLS_API_KEY and the --from/--to years")
        try:
            return response.json()
        except ValueError as exc:
            raise UserError("the BLS API answered with something that is not JSON; "
                            "try again later") from exc
    raise UserError(f"the BLS API did not answer after {ATTEMPTS} attempts ({problem}); "
                    "check the network and try again later")


def check_status(body: dict) -> None:
    """REQUEST_NOT_PROCESSED (it can come with HTTP 200) and other failures → UserError."""
    status = body.get("status")
    if status != "REQUEST_SUCCEEDED":
        messages = "; ".join(str(m) for m in body.get("message") or []) or "no message"
        raise UserError(f"the BLS API did not process the request ({status}: {messages}); "
                        "a daily query limit may be reached: try again tomorrow or set "
                        "BLS_API_KEY")


def response_series(body: dict) -> list[dict]:
    """Results.series whether Results is an object (as clients see) or a list (BLS's sample)."""
    results = body.get("Results") or {}
    if isinstance(results, dict):
        results = [results]
    return [s for r in results if isinstance(r, dict) for s in r.get("series") or []]


def _value(text: object) -> str | None:
    value = str(text if text is not None else "").strip().replace(",", "")
    return None if value in SUPPRESSED else value


def parse(bodies: list[dict]) -> tuple[list[dict[str, str]], int]:
    """Crew-employment rows (one per role × year) and how many were skipped (no employment).

    Earnings: annual median/mean (basis year) when published, else hourly (basis hour);
    suppressed values ('-', '*') stay empty.
    """
    figures: dict[tuple[str, str], dict[str, str | None]] = {}
    for body in bodies:
        for series in response_series(body):
            sid = str(series.get("seriesID", ""))
            soc = f"{sid[17:19]}-{sid[19:23]}"
            datatype = sid[23:25]
            if len(sid) != 25 or soc not in SOC_ROLES or datatype not in DATATYPES:
                continue
            for point in series.get("data") or []:
                key = (str(point.get("year")), soc)
                figures.setdefault(key, {})[DATATYPES[datatype]] = _value(point.get("value"))
    rows, skipped = [], 0
    for (year, soc), f in sorted(figures.items()):
        if f.get("employment") is None:
            skipped += 1
            continue
        annual = f.get("annual_median") is not None or f.get("annual_mean") is not None
        hourly = f.get("hourly_median") is not None or f.get("hourly_mean") is not None
        median, mean, basis = (
            (f.get("annual_median"), f.get("annual_mean"), "year") if annual else
            (f.get("hourly_median"), f.get("hourly_mean"), "hour") if hourly else
            (None, None, None))
        rows.append({
            "period": year, "area": "US", "role": SOC_ROLES[soc],
            "employed": f["employment"], "hours_worked": "",
            "median_earnings": median or "", "mean_earnings": mean or "",
            "earnings_basis": basis or "", "currency": "USD" if basis else "",
            "source": SOURCE, "source_url": SERIES_PAGE + series_id(soc, "01"),
        })
    return rows, skipped


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def fetch(start: int, end: int, *, key: str | None, client: httpx.Client,
          raw_dir: Path = config.RAW_DIR, sleep: Callable[[float], None] = time.sleep,
          stamp: str | None = None) -> list[dict]:
    """Every batch's response body, each saved to raw_dir before it is checked."""
    url = API_V2 if key else API_V1
    max_series, max_years = REGISTERED_LIMITS if key else UNREGISTERED_LIMITS
    raw_dir.mkdir(parents=True, exist_ok=True)
    stamp = stamp or _stamp()
    bodies = []
    for i, (series, first, last) in enumerate(
            batches(all_series(), start, end, max_series, max_years), start=1):
        body = post(client, url, request_body(series, first, last, key), sleep=sleep)
        (raw_dir / f"bls-oews-{stamp}-{i:02}.json").write_text(json.dumps(body, indent=1))
        check_status(body)
        bodies.append(body)
    return bodies


def fetch_and_load(db: Path, start: int, end: int, *, key: str | None, client: httpx.Client,
                   raw_dir: Path = config.RAW_DIR,
                   sleep: Callable[[float], None] = time.sleep) -> dict:
    """Fetch, write the crew-employment file beside the raw responses, load it."""
    from etl.load import load_paths  # heavy; only needed once figures arrived

    stamp = _stamp()
    bodies = fetch(start, end, key=key, client=client, raw_dir=raw_dir, sleep=sleep,
                   stamp=stamp)
    rows, skipped = parse(bodies)
    if not rows:
        raise UserError(f"the BLS API returned no employment figures for {start}–{end} "
                        f"(raw responses in {raw_dir}); nothing was loaded")
    path = write_crew_employment(raw_dir / f"bls-oews-{stamp}-crew-employment.csv", rows)
    [result] = load_paths(db, "crew-employment", [path])
    return {"file": str(path), "rows": len(rows), "skipped_no_employment": skipped,
            "requests": len(bodies), "load": result}


def cmd_fetch_bls(args) -> int:
    """CLI handler: check the years, fetch with the key from BLS_API_KEY, load, summarise."""
    start, end = args.from_year, args.to_year
    this_year = dt.date.today().year
    if not FIRST_YEAR <= start <= end <= this_year:
        raise UsageError(f"--from {start} --to {end}: give years with {FIRST_YEAR} <= --from "
                         f"<= --to <= {this_year}")
    key = os.environ.get("BLS_API_KEY", "").strip() or None
    with httpx.Client(timeout=TIMEOUT) as client:
        out = fetch_and_load(config.db_path(args.db), start, end, key=key, client=client)
    print(summary(out, key, as_json=getattr(args, "json", False)))
    return 0


def summary(out: dict, key: str | None, as_json: bool = False) -> str:
    """fetch_and_load's result for the terminal, or as one JSON object (--json)."""
    if as_json:
        return json.dumps({**out, "api": "v2" if key else "v1"}, ensure_ascii=False)
    load = out["load"]
    text = (f"fetched {out['rows']} OEWS role-year rows in {out['requests']} request(s) "
            f"({'v2 with key' if key else 'v1 without key: 25 series / 10 years per query'}); "
            f"{load['status']}: {load['inserted']} inserted, {load['updated']} updated, "
            f"{load['unchanged']} unchanged, {load['quarantined']} quarantined; "
            f"file {out['file']}")
    if out["skipped_no_employment"]:
        text += f"\n  {out['skipped_no_employment']} role-year(s) skipped: employment suppressed"
    return text
