"""`twinimpact fetch-nomis`: UK employment by occupation and employment type, from Nomis.

Dataset NM_218_1 (ONS Annual Population Survey, APS) through the Nomis API: people in
employment in the United Kingdom per SOC 2020 unit group, split into employees and the
self-employed, for each calendar year (the APS period "Jan YYYY-Dec YYYY"). Nomis's
`soc2020_full` dimension takes its own ids, not SOC codes, so every unit group is fetched and
the code is read from the name ("3417 : Photographers, …"); the shoot roles' codes and caveats
are shipped in data/reference/uk_eu_occupation_codes.csv.

Rows load as crew-employment through the normal loader, one source per employment type
("ONS APS NM_218_1 (employees)", "… (self-employed)", "… (all in employment)"): the key
(period, area, role, source) keeps them apart, and the Employment page sets them beside each
other. Each row's `note` holds the code's caveat and Nomis's status flag when the value is not
a normal one; suppressed values (no number) are not loaded and are counted. The response is
saved under data/raw/ before it is parsed, as fetch-bls does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from etl import config
from etl.errors import UsageError, UserError
from etl.reference import write_crew_employment

DATASET = "NM_218_1"
API = f"https://www.nomisweb.co.uk/api/v01/dataset/{DATASET}.data.csv"
UK_GEOGRAPHY = "2092957697"          # Nomis's id for the United Kingdom (K02000001)
AREAS = {"K02000001": "GB"}          # GSS code → ISO 3166-1 alpha-2 (the UK is GB)
# etype: 0 all in employment, 1 employees, 2 self-employed
ETYPES = {"0": "all in employment", "1": "employees", "2": "self-employed"}
ETYPE_NAMES = {"all in employment": "0", "all persons in employment": "0", "employees": "1",
               "self employed": "2", "self-employed": "2"}
SOURCE = "ONS APS NM_218_1"
SOURCE_URL = "https://www.nomisweb.co.uk/datasets/apsnew"
FIRST_YEAR = 2021                    # SOC 2020 coding in the APS starts with 2021
PAGE_CELLS = 25_000                  # cells per call without a uid
ATTEMPTS = 4
BACKOFF_SECONDS = 1.0
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_SOC = re.compile(r"^\s*(\d{4})\s*:")
_YEAR_PERIOD = re.compile(r"^Jan (\d{4})\s*-\s*Dec (\d{4})$")
# OBS_STATUS codes that mean "a normal value": no flag in the note
NORMAL_STATUS = {"", "A"}


def source_name(etype: str) -> str:
    return f"{SOURCE} ({ETYPES[etype]})"


def occupation_codes(path: Path = config.UK_EU_CODES_CSV, scheme: str = "SOC 2020"
                     ) -> dict[str, dict[str, str]]:
    """code → {title, role, caveat} for one classification's shipped shoot-role codes."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return {r["code"]: r for r in csv.DictReader(fh) if r["scheme"] == scheme}
    except OSError as exc:
        raise UserError(f"cannot read the occupation codes {path} ({exc.strerror}); "
                        "reinstall the project to restore data/reference") from exc


def request_params(start: int, end: int, uid: str | None = None,
                   offset: int = 0) -> dict[str, str]:
    """The query string of one call: every SOC 2020 unit group, all/employees/self-employed,
    the UK, each calendar year's APS period (its date code is the December it ends)."""
    params = {
        "geography": UK_GEOGRAPHY,
        "date": ",".join(f"{y}-12" for y in range(start, end + 1)),
        "c_sex": "0", "jtype": "0", "ftpt": "0", "etype": "0,1,2",
        "measure": "1", "measures": "20100",
    }
    if offset:
        params["recordoffset"] = str(offset)
    if uid:
        params["uid"] = uid
    return params


def get(client: httpx.Client, params: dict, *,
        sleep: Callable[[float], None] = time.sleep) -> str:
    """GET with retries and exponential backoff on network errors and 5xx; CSV text back."""
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            response = client.get(API, params=params)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            continue
        if response.status_code >= 500:
            problem = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise UserError(f"the Nomis API refused the request (HTTP {response.status_code}); "
                            "check the --from/--to years and NOMIS_UID")
        return response.text
    raise UserError(f"the Nomis API did not answer after {ATTEMPTS} attempts ({problem}); "
                    "check the network and try again later")


def _records(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    need = {"DATE_NAME", "GEOGRAPHY_CODE", "SOC2020_FULL_NAME", "OBS_VALUE"}
    have = {(h or "").strip().upper() for h in reader.fieldnames or []}
    if not need <= have or not ({"ETYPE", "ETYPE_NAME"} & have):
        raise UserError("the Nomis API answered without the expected columns "
                        f"({', '.join(sorted(need | {'ETYPE'}))}); got "
                        f"{', '.join(sorted(have))[:200] or 'no CSV header'}")
    return [{(k or "").strip().upper(): (v or "").strip() for k, v in r.items()}
            for r in reader]


def parse(texts: list[str], codes: dict[str, dict[str, str]] | None = None
          ) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Crew-employment rows (one per year × code × employment type) and counts of what was
    left out: other occupations, other periods or areas, suppressed values."""
    codes = codes if codes is not None else occupation_codes()
    rows, left = [], {"other_occupations": 0, "other_periods_or_areas": 0, "suppressed": 0}
    for text in texts:
        for r in _records(text):
            soc = _SOC.match(r["SOC2020_FULL_NAME"])
            if soc is None or soc.group(1) not in codes:
                left["other_occupations"] += 1
                continue
            year = _calendar_year(r)
            area = AREAS.get(r["GEOGRAPHY_CODE"]) or (
                "GB" if r.get("GEOGRAPHY") == UK_GEOGRAPHY else None)
            etype = r.get("ETYPE") or ETYPE_NAMES.get(r.get("ETYPE_NAME", "").lower(), "")
            if year is None or area is None or etype not in ETYPES:
                left["other_periods_or_areas"] += 1
                continue
            value = r["OBS_VALUE"].replace(",", "")
            try:
                employed = float(value)
            except ValueError:
                left["suppressed"] += 1
                continue
            code = codes[soc.group(1)]
            status, status_name = r.get("OBS_STATUS", ""), r.get("OBS_STATUS_NAME", "")
            note = f"SOC 2020 {soc.group(1)} {code['title']}: {code['caveat']}"
            if status not in NORMAL_STATUS:
                note += f" Nomis status {status}" + (f" ({status_name})" if status_name else "")
                note += "."
            rows.append({
                "period": year, "area": area, "role": code["role"],
                "employed": str(round(employed)), "hours_worked": "",
                "median_earnings": "", "mean_earnings": "", "earnings_basis": "",
                "currency": "", "source": source_name(etype), "source_url": SOURCE_URL,
                "note": note,
            })
    rows.sort(key=lambda x: (x["period"], x["role"], x["source"]))
    return rows, left


def _calendar_year(r: dict[str, str]) -> str | None:
    """The year of an APS calendar-year period ("Jan 2023-Dec 2023", date code 2023-12);
    None for the rolling 12-month periods that end in other months."""
    m = _YEAR_PERIOD.match(r["DATE_NAME"])
    if m:
        return m.group(1) if m.group(1) == m.group(2) else None
    code = re.fullmatch(r"(\d{4})-12", r.get("DATE", "") or r.get("DATE_CODE", ""))
    return code.group(1) if code else None  # an APS period ending in December is Jan–Dec


def _page_total(text: str) -> tuple[int, int]:
    """(RECORD_OFFSET of the first row, RECORD_COUNT) of a page; (0, rows) without them."""
    records = _records(text)
    if not records or "RECORD_COUNT" not in records[0]:
        return 0, len(records)
    try:
        return int(records[0].get("RECORD_OFFSET") or 0), int(records[0]["RECORD_COUNT"])
    except ValueError:
        return 0, len(records)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def fetch(start: int, end: int, *, client: httpx.Client, uid: str | None = None,
          raw_dir: Path = config.RAW_DIR, sleep: Callable[[float], None] = time.sleep,
          stamp: str | None = None) -> list[str]:
    """Every page of the response (Nomis pages a large answer by record offset), each saved
    under raw_dir before it is read."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    stamp = stamp or _stamp()
    texts: list[str] = []
    offset = 0
    while True:
        text = get(client, request_params(start, end, uid, offset), sleep=sleep)
        (raw_dir / f"nomis-{DATASET}-{stamp}-{len(texts) + 1:02}.csv").write_text(
            text, encoding="utf-8")
        texts.append(text)
        first, total = _page_total(text)
        got = len(_records(text))
        offset = first + got
        if got == 0 or offset >= total or len(texts) >= 50:
            return texts


def fetch_and_load(db: Path, start: int, end: int, *, client: httpx.Client,
                   uid: str | None = None, raw_dir: Path = config.RAW_DIR,
                   sleep: Callable[[float], None] = time.sleep,
                   today: dt.date | None = None) -> dict:
    """Fetch, write the crew-employment file beside the raw responses, load it."""
    from etl.load import load_paths

    stamp = _stamp()
    texts = fetch(start, end, client=client, uid=uid, raw_dir=raw_dir, sleep=sleep,
                  stamp=stamp)
    rows, left = parse(texts)
    if not rows:
        raise UserError(f"the Nomis API returned no figures for the shoot roles' SOC 2020 "
                        f"codes in {start}–{end} (raw responses in {raw_dir}); nothing was "
                        "loaded")
    path = write_crew_employment(raw_dir / f"nomis-{DATASET}-{stamp}-crew-employment.csv",
                                 rows, columns=COLUMNS)
    [result] = load_paths(db, "crew-employment", [path], today=today)
    return {"file": str(path), "rows": len(rows), "requests": len(texts), **left,
            "load": result}


COLUMNS = ("period", "area", "role", "employed", "hours_worked", "median_earnings",
           "mean_earnings", "earnings_basis", "currency", "source", "source_url", "note")


def cmd_fetch_nomis(args) -> int:
    start, end = args.from_year, args.to_year
    this_year = dt.date.today().year
    if not FIRST_YEAR <= start <= end <= this_year:
        raise UsageError(f"--from {start} --to {end}: give years with {FIRST_YEAR} <= --from "
                         f"<= --to <= {this_year} (SOC 2020 in the APS starts in 2021)")
    uid = os.environ.get("NOMIS_UID", "").strip() or None
    with httpx.Client(timeout=TIMEOUT) as client:
        out = fetch_and_load(config.db_path(args.db), start, end, client=client, uid=uid)
    if getattr(args, "json", False):
        print(json.dumps(out, ensure_ascii=False))
        return 0
    load = out["load"]
    print(f"fetched {out['rows']} UK role-year-type rows from Nomis {DATASET} in "
          f"{out['requests']} request(s) ({out['suppressed']} suppressed values left out); "
          f"{load['status']}: {load['inserted']} inserted, {load['updated']} updated, "
          f"{load['unchanged']} unchanged, {load['quarantined']} quarantined; "
          f"file {out['file']}")
    return 0
