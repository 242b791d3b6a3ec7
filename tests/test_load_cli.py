"""`twinimpact load` as a user runs it: summary lines, --json objects, exit codes."""

from __future__ import annotations

import json

from conftest import run_cli
from loadkit import row, write

KEYS = ["file", "kind", "sha256", "status", "rows_in", "inserted", "updated", "unchanged",
        "quarantined", "ignored_columns", "error"]


def test_human_lines_and_exit_codes(tmp_path):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "usage.csv", [row("twin-usage", usage_id="U1", note="x"),
                                          row("twin-usage", usage_id="U2", assets="0")],
                 header=[*row("twin-usage"), "note"])
    p = run_cli("load", "twin-usage", good, "--db", db)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == (f"loaded twin-usage {good}: 2 rows in — 1 inserted, 0 updated, "
                        "0 unchanged, 1 quarantined (see: twinimpact quarantine); "
                        "ignored columns: note\n")
    missing = tmp_path / "nope.csv"
    p = run_cli("load", "twin-usage", good, missing, "--db", db)
    assert p.returncode == 1
    assert p.stdout == (f"skipped twin-usage {good}: these exact bytes were loaded before "
                        "(same SHA-256); nothing changed\n")
    assert p.stderr == f"error: {missing}: file not found; check the path\n"
    p = run_cli("load", "no-such-kind", good, "--db", db)
    assert p.returncode == 2


def test_json_output_one_object_per_file_rejected_included(tmp_path):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "t.csv", [row("twins")])
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    p = run_cli("load", "twins", good, bad, "--db", db, "--json")
    assert p.returncode == 1
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    assert [list(o) for o in objs] == [KEYS, KEYS]
    assert objs[0] | {"sha256": None} == {
        "file": str(good), "kind": "twins", "sha256": None, "status": "loaded", "rows_in": 1,
        "inserted": 1, "updated": 0, "unchanged": 0, "quarantined": 0, "ignored_columns": [],
        "error": None}
    assert len(objs[0]["sha256"]) == 64
    assert objs[1] == {
        "file": str(bad), "kind": "twins",
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "status": "rejected", "rows_in": 0, "inserted": 0, "updated": 0, "unchanged": 0,
        "quarantined": 0, "ignored_columns": [],
        "error": "the file is empty (0 bytes); export it again with a header line"}
    assert p.stderr == (f"error: {bad}: the file is empty (0 bytes); export it again with a "
                        "header line\n")
