"""The hard guarantees of CONTRACT §2–§3: kill -9, a reader during a load, two writers at once.

Every load runs as a user would run it (`python -m etl load ...` in a subprocess) against a
real warehouse in a temporary folder. The tests stop a load at a known phase with the loader's
test-only TWINIMPACT_TEST_HOLD (it waits there until its stdin closes), so a small file is
enough: the kill lands, the reader looks and the second writer asks for the lock while the
first writer is surely mid-load, never by luck of timing.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
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


def start_load(db: Path, *files: Path, kind: str = "twin-usage",
               hold: str | None = None) -> subprocess.Popen:
    """`twinimpact load` in a child; with `hold`, it stops after that phase (see held)."""
    env = {**os.environ, "TWINIMPACT_TEST_HOLD": hold} if hold else None
    return subprocess.Popen([sys.executable, "-m", "etl", "load", kind, *map(str, files),
                             "--db", str(db), "--json"], cwd=ROOT, text=True, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def held(proc: subprocess.Popen, phase: str, timeout: float = 240) -> None:
    """Wait until the load has stopped after `phase`; it goes on when its stdin closes."""
    ready, _, _ = select.select([proc.stderr], [], [], timeout)
    line = proc.stderr.readline() if ready else "(nothing)"
    if line != f"held after {phase}\n":
        proc.kill()
        pytest.fail(f"the load did not stop after {phase!r}: {line}{proc.communicate()[1]}")


def finish(proc: subprocess.Popen, timeout: float = 300) -> list[dict]:
    out, err = proc.communicate(timeout=timeout)  # closing stdin lets a held load go on
    assert proc.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob(f".{db.name}.tmp-*"))


def waiting_for_the_lock(procs: list[subprocess.Popen], timeout: float = 240) -> list[int]:
    """The pids among `procs` blocked in flock (Linux lists them in /proc/locks with `->`)."""
    pids = {str(p.pid) for p in procs}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        blocked = [int(f[5]) for f in (line.split() for line in
                                        Path("/proc/locks").read_text().splitlines())
                   if f[1:3] == ["->", "FLOCK"] and f[5] in pids]
        if blocked:
            return blocked
        assert all(p.poll() is None for p in procs), "a load finished while the other waited"
        time.sleep(0.02)
    pytest.fail("no load waited for the writers' lock")


def baseline(tmp_path: Path) -> Path:
    """A published warehouse holding three twins."""
    db = tmp_path / "w.duckdb"
    (tmp_path / "twins.csv").write_text(TWINS)
    proc = run_cli("load", "twins", tmp_path / "twins.csv", "--db", db)
    assert proc.returncode == 0, proc.stderr
    return db


# after the rows are merged into the private copy; after the marts and the release are built
# in it, the last phase before the checkpoint and the rename that publishes
KILL_AFTER = ("merge", "marts")


def test_kill_9_mid_load_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    n = 20_000
    db = baseline(tmp_path)
    before_bytes, before_status = sha256(db), status(db)
    big = tmp_path / "usage.csv"
    generate_usage_csv(big, n)

    for phase in KILL_AFTER:
        proc = start_load(db, big, hold=phase)
        private = db.with_name(f".{db.name}.tmp-{proc.pid}")
        held(proc, phase)
        # well into the work: the private copy holds what the load wrote so far
        assert private.exists(), phase
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL

        # The private file was never renamed over the published one (that is the last step)…
        assert private.name in leftovers(db), phase
        assert sha256(db) == before_bytes, phase
        assert status(db) == before_status, phase

    (result,) = finish(start_load(db, big))
    assert {k: result[k] for k in ("status", "rows_in", "inserted", "updated", "unchanged",
                                   "quarantined")} == {
        "status": "loaded", "rows_in": n, "inserted": n, "updated": 0, "unchanged": 0,
        "quarantined": 0}
    assert leftovers(db) == []  # …and what the killed writers left is removed by the next
    after = status(db)
    assert after["tables"]["twin-usage"] == n and after["tables"]["twins"] == 3
    assert after["loads"][:-1] == before_status["loads"]
    assert (after["loads"][-1]["status"], after["loads"][-1]["inserted"]) == ("loaded", n)


def test_a_reader_connected_during_a_load_keeps_its_view(tmp_path: Path) -> None:
    n = 20_000
    db = baseline(tmp_path)
    usage = tmp_path / "usage.csv"
    generate_usage_csv(usage, n)

    # An analyst's client: a plain read-only connection, holding a half-read result.
    old = duckdb.connect(str(db), read_only=True)
    cursor = old.cursor()
    cursor.execute("select twin_id from raw.twins order by twin_id")
    assert cursor.fetchone() == ("T1",)

    # the load has written every row and built the marts in its private copy, not published
    proc = start_load(db, usage, hold="marts")
    held(proc, "marts")
    assert status(db)["tables"]["twin-usage"] == 0  # never a half-written state
    assert proc.poll() is None
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
    n = 20_000
    db = tmp_path / "w.duckdb"  # neither load finds a warehouse: both would create it
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    generate_usage_csv(a, n)
    generate_usage_csv(b, n, start=n)  # disjoint keys

    # Each stops once it holds the writers' lock and has its private copy; the one that got
    # the lock first is held there while the other is seen waiting for the lock.
    files = {start_load(db, f, hold="private copy"): f for f in (a, b)}
    (waiting,) = waiting_for_the_lock(list(files))
    holder, waiter = sorted(files, key=lambda p: p.pid == waiting)
    held(holder, "private copy")
    assert not db.with_name(f".{db.name}.tmp-{waiter.pid}").exists()
    results = [finish(holder)[0]]
    held(waiter, "private copy")
    results.append(finish(waiter)[0])
    assert [(r["status"], r["rows_in"], r["inserted"]) for r in results] == [
        ("loaded", n, n), ("loaded", n, n)]

    doc = status(db)
    assert doc["tables"]["twin-usage"] == 2 * n
    loads = doc["loads"]
    assert [ld["load_id"] for ld in loads] == [1, 2]
    assert [ld["file"] for ld in loads] == [str(files[holder]), str(files[waiter])]
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
