"""The hard guarantees of CONTRACT §2–§3: kill -9, a reader during a load, two writers at once.

Every load runs as a user would run it (`python -m etl load ...` in a subprocess) against a
real warehouse in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, run_cli

from etl import warehouse
from etl.bench import generate_usage_csv

TWINS = "twin_id,model_id,created_on\nT1,M1,2024-01-05\nT2,M2,2024-02-10\nT3,M3,2024-03-15\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status(db: Path) -> dict:
    proc = run_cli("status", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def start_load(db: Path, *files: Path, kind: str = "twin-usage") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "load", kind, *map(str, files),
                             "--db", str(db), "--json"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen, timeout: float = 300) -> list[dict]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob(f".{db.name}.tmp-*"))


def wait_for(condition, proc: subprocess.Popen, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the load finished before {what}; make the test file bigger")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def baseline(tmp_path: Path) -> Path:
    """A published warehouse holding three twins."""
    db = tmp_path / "w.duckdb"
    (tmp_path / "twins.csv").write_text(TWINS)
    proc = run_cli("load", "twins", tmp_path / "twins.csv", "--db", db)
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.mark.slow
def test_kill_9_mid_load_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    n = 3_000_000
    db = baseline(tmp_path)
    before_bytes, before_status = sha256(db), status(db)
    big = tmp_path / "usage.csv"
    generate_usage_csv(big, n)

    proc = start_load(db, big)
    private = db.with_name(f".{db.name}.tmp-{proc.pid}")
    copied = db.stat().st_size
    # Well into the work: the private copy has grown by rows the load has written to it.
    wait_for(lambda: private.exists() and private.stat().st_size > copied + (8 << 20), proc,
             "the private copy grew")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    # The private file was never renamed over the published one (that is the last step)…
    assert private.name in leftovers(db), "killed after publishing; grow the file"
    assert sha256(db) == before_bytes
    assert status(db) == before_status

    (result,) = finish(start_load(db, big))
    assert {k: result[k] for k in ("status", "rows_in", "inserted", "updated", "unchanged",
                                   "quarantined")} == {
        "status": "loaded", "rows_in": n, "inserted": n, "updated": 0, "unchanged": 0,
        "quarantined": 0}
    assert leftovers(db) == []  # …and what the killed writer left is removed by the next
    after = status(db)
    assert after["tables"]["twin-usage"] == n and after["tables"]["twins"] == 3
    assert after["loads"][:-1] == before_status["loads"]
    assert (after["loads"][-1]["status"], after["loads"][-1]["inserted"]) == ("loaded", n)


def test_a_reader_connected_during_a_load_keeps_its_view(tmp_path: Path) -> None:
    n = 300_000
    db = baseline(tmp_path)
    usage = tmp_path / "usage.csv"
    generate_usage_csv(usage, n)

    # An analyst's client: a plain read-only connection, holding a half-read result.
    old = duckdb.connect(str(db), read_only=True)
    cursor = old.cursor()
    cursor.execute("select twin_id from raw.twins order by twin_id")
    assert cursor.fetchone() == ("T1",)

    proc = start_load(db, usage)
    private = db.with_name(f".{db.name}.tmp-{proc.pid}")
    wait_for(private.exists, proc, "the load started")
    during = status(db)["tables"]["twin-usage"]
    still_running = proc.poll() is None
    assert during in (0, n)  # never a half-written state
    if still_running:
        assert during == 0
    (result,) = finish(proc)
    assert (result["status"], result["inserted"]) == ("loaded", n)

    # The old connection still sees the warehouse as it was when it connected.
    assert cursor.fetchall() == [("T2",), ("T3",)]
    assert old.execute("select count(*) from raw.twin_usage").fetchone() == (0,)
    # New readers see the load: ours in this process (while the old one is still open)…
    with warehouse.reader(db) as new:
        assert new.execute("select count(*) from raw.twin_usage").fetchone() == (n,)
        assert new.execute("select count(*) from raw.twins").fetchone() == (3,)
    # …and any other client's.
    other = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; print(duckdb.connect(sys.argv[1], "
         "read_only=True).execute('select count(*) from raw.twin_usage').fetchone()[0])",
         str(db)], capture_output=True, text=True, timeout=60)
    assert other.stdout.strip() == str(n), other.stderr
    old.close()


def test_two_loads_started_at_once_are_serialised(tmp_path: Path) -> None:
    n = 200_000
    db = tmp_path / "w.duckdb"  # neither load finds a warehouse: both would create it
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    generate_usage_csv(a, n)
    generate_usage_csv(b, n, start=n)  # disjoint keys

    procs = [start_load(db, a), start_load(db, b)]
    results = [finish(p)[0] for p in procs]
    assert [(r["status"], r["rows_in"], r["inserted"]) for r in results] == [
        ("loaded", n, n), ("loaded", n, n)]

    doc = status(db)
    assert doc["tables"]["twin-usage"] == 2 * n
    loads = doc["loads"]
    assert [ld["load_id"] for ld in loads] == [1, 2]
    assert sorted(ld["file"] for ld in loads) == sorted([str(a), str(b)])
    first, second = (
        (datetime.fromisoformat(ld["started_at"]), datetime.fromisoformat(ld["finished_at"]))
        for ld in loads)
    assert first[1] <= second[0]  # one after the other, never interleaved
    with warehouse.reader(db) as con:
        assert con.execute("select count(distinct usage_id), count(distinct _load_id) "
                           "from raw.twin_usage").fetchone() == (2 * n, 2)
    assert leftovers(db) == []


def test_the_same_file_twice_at_once_loads_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    usage = tmp_path / "usage.csv"
    generate_usage_csv(usage, 1000)
    procs = [start_load(db, usage), start_load(db, usage)]
    results = sorted((finish(p)[0] for p in procs), key=lambda r: r["status"])
    assert [(r["status"], r["inserted"]) for r in results] == [("loaded", 1000),
                                                               ("skipped", 0)]
    assert status(db)["tables"]["twin-usage"] == 1000
