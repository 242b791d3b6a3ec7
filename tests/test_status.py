"""`twinimpact status` and `twinimpact quarantine` against real warehouses."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl import safe_csv

ROOT = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("TWINIMPACT_")}
ENV["PYTHONPATH"] = str(ROOT)
KINDS = ("twins", "licenses", "twin-usage", "bookings", "booking-crew", "crew-employment")

GOOD = ("twin_id,model_id,created_on,platform\n"
        "T1,M1,2024-01-05,acme\nT2,M2,2024-02-10,\nT3,M3,2024-03-15,acme\n")
# A file name a spreadsheet would run as a formula, and two bad rows (lines 3 and 4).
QUARANTINING_NAME = "=1+1.csv"
QUARANTINING = ("twin_id,model_id,created_on,Notes\n"
                "T4,M4,2024-04-01,hello\nT5,M5,not-a-date,x\nT6,M6,1999-12-31,\n")
REJECTED = "twin_id,model_id\nT9,M9\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=ENV)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def status_json(cwd: Path, db: str = "w.duckdb") -> dict:
    proc = run(cwd, "status", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_status_of_a_missing_warehouse_is_zeros_and_creates_nothing(tmp_path: Path) -> None:
    doc = status_json(tmp_path)
    as_of = doc.pop("as_of")
    assert datetime.fromisoformat(as_of).tzinfo is not None
    assert doc == {"tables": dict.fromkeys(KINDS, 0), "loads": [], "quarantined": 0,
                   "coverage": {}, "release": None}
    assert list(tmp_path.iterdir()) == []

    human = run(tmp_path, "status", "--db", "w.duckdb")
    assert human.returncode == 0, human.stderr
    assert "No warehouse here yet" in human.stdout
    assert "twin-usage" in human.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after a good load, a quarantining load and a rejected load."""
    tmp = tmp_path_factory.mktemp("status")
    (tmp / "good.csv").write_text(GOOD)
    (tmp / QUARANTINING_NAME).write_text(QUARANTINING)
    (tmp / "nodate.csv").write_text(REJECTED)
    assert run(tmp, "load", "twins", "good.csv", "--db", "w.duckdb").returncode == 0
    q = run(tmp, "load", "twins", QUARANTINING_NAME, "--db", "w.duckdb")
    assert q.returncode == 0, q.stderr
    r = run(tmp, "load", "twins", "nodate.csv", "--db", "w.duckdb")
    assert r.returncode == 1
    return tmp


def test_status_lists_every_attempt_with_exact_counts(loaded: Path) -> None:
    doc = status_json(loaded)
    assert doc["tables"] == {**dict.fromkeys(KINDS, 0), "twins": 4}
    assert doc["quarantined"] == 2
    loads = doc["loads"]
    for ld in loads:  # times are ISO 8601 with a zone, in order
        start = datetime.fromisoformat(ld.pop("started_at"))
        end = datetime.fromisoformat(ld.pop("finished_at"))
        assert start.tzinfo is not None and start <= end
    rejected_error = loads[2].pop("error")
    assert "created_on" in rejected_error
    base = {"kind": "twins", "updated": 0, "unchanged": 0, "simulated": False}
    assert loads == [
        {**base, "load_id": 1, "file": "good.csv", "sha256": sha(GOOD), "status": "loaded",
         "rows_in": 3, "inserted": 3, "quarantined": 0, "ignored_columns": [], "error": None},
        {**base, "load_id": 2, "file": QUARANTINING_NAME, "sha256": sha(QUARANTINING),
         "status": "loaded", "rows_in": 3, "inserted": 1, "quarantined": 2,
         "ignored_columns": ["Notes"], "error": None},
        {**base, "load_id": 3, "file": "nodate.csv", "sha256": sha(REJECTED),
         "status": "rejected", "rows_in": 0, "inserted": 0, "quarantined": 0,
         "ignored_columns": []},
    ]
    assert datetime.fromisoformat(doc["as_of"]).tzinfo is not None


def test_status_table_for_people(loaded: Path) -> None:
    proc = run(loaded, "status", "--db", "w.duckdb")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [ln.split() for ln in lines if ln.startswith("twins ")] == [["twins", "4"]]
    assert "Quarantined rows: 2 (list them with `twinimpact quarantine`)" in lines
    assert "Load attempts: 3" in lines
    load_rows = [ln.split() for ln in lines if ln.lstrip()[:2] in ("1 ", "2 ", "3 ")]
    assert [r[:9] for r in load_rows] == [
        ["1", "twins", "good.csv", "loaded", "3", "3", "0", "0", "0"],
        ["2", "twins", QUARANTINING_NAME, "loaded", "3", "1", "0", "0", "2"],
        ["3", "twins", "nodate.csv", "rejected", "0", "0", "0", "0", "0"],
    ]
    assert any(ln.startswith("  #3 nodate.csv: ") and "created_on" in ln for ln in lines)


def test_quarantine_export_is_exact_and_formula_safe(loaded: Path) -> None:
    proc = run(loaded, "quarantine", "--db", "w.duckdb", "--out", "q.csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "wrote 2 quarantined rows to q.csv\n"
    with open(loaded / "q.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["load_id", "kind", "file", "line", "reason", "raw"]
    body = rows[1:]
    # The file name starts with "=": exported as text, never as a formula.
    assert [r[:4] for r in body] == [["2", "twins", "'=1+1.csv", "3"],
                                     ["2", "twins", "'=1+1.csv", "4"]]
    assert all(r[4].startswith("created_on") for r in body), body
    assert [json.loads(r[5]) for r in body] == [
        {"twin_id": "T5", "model_id": "M5", "created_on": "not-a-date", "Notes": "x"},
        {"twin_id": "T6", "model_id": "M6", "created_on": "1999-12-31", "Notes": None},
    ]
    assert not [p.name for p in loaded.iterdir() if ".tmp-" in p.name]  # temp file replaced


def test_quarantine_filters_by_kind_and_lists_for_people(loaded: Path) -> None:
    assert run(loaded, "quarantine", "--db", "w.duckdb", "--kind", "licenses",
               "--out", "none.csv").returncode == 0
    assert (loaded / "none.csv").read_text() == "load_id,kind,file,line,reason,raw\n"

    listing = run(loaded, "quarantine", "--db", "w.duckdb", "--kind", "twins")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0] == f"2 quarantined twins rows in {(loaded / 'w.duckdb').resolve()}"
    assert [ln.split()[:4] for ln in lines[3:]] == [["2", "twins", QUARANTINING_NAME, "3"],
                                                   ["2", "twins", QUARANTINING_NAME, "4"]]

    empty = run(loaded, "quarantine", "--db", "missing.duckdb")
    assert empty.returncode == 0
    assert empty.stdout.startswith("No quarantined rows (no warehouse at ")
    assert not (loaded / "missing.duckdb").exists()


def test_quarantine_json_gives_each_row_as_an_object(loaded: Path) -> None:
    proc = run(loaded, "quarantine", "--db", "w.duckdb", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    reasons = [r.pop("reason") for r in rows]
    assert all(r.startswith("created_on") for r in reasons), reasons
    assert rows == [
        {"load_id": 2, "kind": "twins", "file": QUARANTINING_NAME, "line": 3,
         "raw": {"twin_id": "T5", "model_id": "M5", "created_on": "not-a-date", "Notes": "x"}},
        {"load_id": 2, "kind": "twins", "file": QUARANTINING_NAME, "line": 4,
         "raw": {"twin_id": "T6", "model_id": "M6", "created_on": "1999-12-31",
                 "Notes": None}}]
    out = run(loaded, "quarantine", "--db", "w.duckdb", "--json", "--out", "j.csv")
    assert (out.returncode, out.stderr) == (0, "")
    assert json.loads(out.stdout) == {"out": "j.csv", "rows": 2}


def test_status_of_a_duckdb_file_that_is_no_warehouse_says_so(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(tmp_path / "other.duckdb"))
    con.execute("create table t as select 1 as x")
    con.close()
    for args in (("status", "--json"), ("quarantine",)):
        proc = run(tmp_path, *args, "--db", "other.duckdb")
        assert proc.returncode == 1, proc.stdout
        assert proc.stderr.startswith("error: ") and "is a DuckDB file but not a Twin Impact " \
            "warehouse (it has no meta.loads, meta.quarantine, raw.booking_crew" in proc.stderr


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+31 20", "'+31 20"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise_text_cells(value: str, expected: str) -> None:
    df = pd.DataFrame({"text": [value], "number": [-5], "obj": pd.Series([value], dtype=object)})
    out = safe_csv.neutralise(df)
    assert out["text"].tolist() == [expected]
    assert out["obj"].tolist() == [expected]
    assert out["number"].tolist() == [-5]  # numbers stay numbers
    assert df["text"].tolist() == [value]  # the input is not changed


def test_write_csv_neutralises_headers_keeps_nulls_and_replaces_atomically(
        tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    df = pd.DataFrame({"=evil": ["-1", None], "n": [1.5, None],
                       "c": pd.Categorical(["=x", "y"])})
    safe_csv.write_csv(df, target)
    assert target.read_text() == "'=evil,n,c\n'-1,1.5,'=x\n,,y\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


class _Phases:
    """A progress sink (load_file's `bar`) that notes when each phase began."""

    def __init__(self) -> None:
        self.at: dict[str, datetime] = {}

    def add_task(self, *_a, **_k) -> int:
        return 0

    def update(self, _task, description: str | None = None, completed: int | None = None,
               **_k) -> None:
        from datetime import UTC

        if description and description.startswith("merging"):
            self.at["merging"] = datetime.now(UTC)
        if completed == 4:
            self.at["done"] = datetime.now(UTC)

    def advance(self, *_a, **_k) -> None:
        pass


def test_finished_at_is_after_the_merge(tmp_path: Path) -> None:
    from etl import load, warehouse
    from etl.bench import generate_usage_csv

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    generate_usage_csv(first, 1_000)
    generate_usage_csv(second, 300_000, start=1_000)  # merged into a non-empty raw table
    phases = _Phases()
    with warehouse.writer(tmp_path / "w.duckdb") as con:
        warehouse.ensure_schema(con)
        load.load_file(con, "twin-usage", first)
        result = load.load_file(con, "twin-usage", second, bar=phases)
        finished = con.execute(
            "select finished_at from meta.loads where status = 'loaded' and file = ?",
            [str(second)]).fetchone()[0]
    assert result["inserted"] == 300_000
    merging, done = phases.at["merging"], phases.at["done"]
    # The merge of 300,000 rows takes a while; finished_at must come after most of it.
    assert merging + 0.2 * (done - merging) < finished <= done
