"""`twinimpact validate`: the loader's counts and reasons, and the warehouse left byte-identical."""

from __future__ import annotations

import hashlib
import json

import duckdb
from conftest import run_cli
from loadkit import row, write
from test_load_mapping import CREW_EXPORT, CREW_MAP


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_validate_matches_load_and_leaves_the_warehouse_byte_identical(tmp_path):
    wdir = tmp_path / "wh"
    wdir.mkdir()
    db = wdir / "w.duckdb"
    spec = tmp_path / "crew.toml"
    spec.write_text(CREW_MAP.replace('"Model" = "model"\n', ""))
    seed = tmp_path / "seed.csv"
    seed.write_text(CREW_EXPORT.splitlines()[0] + "\nK9;P9;Photographer;1;£100;\n")
    p = run_cli("load", "booking-crew", seed, "--db", db, "--map", spec, "--save-map", "crew")
    assert p.returncode == 0, p.stderr
    # a messy export: a label the map lacks, a bad number, a repeated key, a bad day count
    export = tmp_path / "export.csv"
    export.write_text(CREW_EXPORT + "K3;P4;Photographer;1;£1.250,00;\n"
                      "K4;P5;Photographer;1;£10;\nK4;P5;Photographer;2;£10;\n"
                      "K5;P6;Photographer;0;£10;\n")
    before = _digest(wdir)
    p = run_cli("validate", "booking-crew", export, "--db", db, "--map", "crew", "--json")
    assert p.returncode == 1, p.stderr
    assert _digest(wdir) == before  # byte-identical, and no file added beside it
    got = json.loads(p.stdout)
    reasons = [
        (4, "role: not in [values.role] of mapping crew; add it to that map, got 'Model'"),
        (5, "day_rate: does not match the number format (decimal '.', thousands ',') of "
            "mapping crew, got '£1.250,00'"),
        (6, "key (booking_id, person_id, role) = ('K4', 'P5', 'photographer') appears 2 times "
            "in this file; all its rows are quarantined"),
        (7, "key (booking_id, person_id, role) = ('K4', 'P5', 'photographer') appears 2 times "
            "in this file; all its rows are quarantined"),
        (8, "days: must be > 0, got '0'"),
    ]
    assert {k: got[k] for k in ("status", "rows_in", "valid", "quarantined", "mapping")} == {
        "status": "quarantined", "rows_in": 7, "valid": 2, "quarantined": 5,
        "mapping": "mapping crew"}
    assert [(q["line"], q["reason"]) for q in got["quarantine"]] == reasons
    assert got["quarantine"][0]["raw"] == {
        "Booking Ref": "K2", "Talent": "P3", "Role": "Model", "Days Worked": "2",
        "Day Rate (£)": "£2,000", "Total (£)": "£ 2,100.00"}

    # the load gives the same counts and reasons
    p = run_cli("load", "booking-crew", export, "--db", db, "--map", "crew", "--json")
    loaded = json.loads(p.stdout)
    counts = ("rows_in", "inserted", "updated", "unchanged", "quarantined")
    assert [loaded[c] for c in counts] == [got[c] for c in counts] == [7, 2, 0, 0, 5]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select line, reason from meta.quarantine where file = ? "
                           "order by line", [str(export)]).fetchall() == reasons


def test_validate_counts_updates_against_the_warehouse_it_reads(tmp_path):
    db = tmp_path / "w.duckdb"
    first = write(tmp_path / "a.csv", [row("twins", twin_id="T1"), row("twins", twin_id="T2")])
    assert run_cli("load", "twins", first, "--db", db).returncode == 0
    before = db.read_bytes()
    later = write(tmp_path / "b.csv", [row("twins", twin_id="T1"),
                                       row("twins", twin_id="T2", status="retired"),
                                       row("twins", twin_id="T3")])
    p = run_cli("validate", "twins", later, first, "--db", db, "--json")
    assert db.read_bytes() == before
    got = [json.loads(line) for line in p.stdout.splitlines()]
    counts = ("status", "inserted", "updated", "unchanged", "quarantined", "loaded_before")
    assert [[g[c] for c in counts] for g in got] == [
        ["clean", 1, 1, 1, 0, False],
        # checked after b.csv, as load checks files in order: T2 back to active is an update
        ["clean", 0, 1, 1, 0, True]]   # (load itself would skip these bytes)
    p = run_cli("load", "twins", later, "--db", db, "--json")
    loaded = json.loads(p.stdout)
    assert [loaded[c] for c in counts[1:5]] == [1, 1, 1, 0]


def test_validate_exit_codes_and_human_lines(tmp_path):
    good = write(tmp_path / "t.csv", [row("twins")])
    bad_row = write(tmp_path / "u.csv", [row("twins"), row("twins", twin_id="T2",
                                                           created_on="2024-13-01")])
    missing = write(tmp_path / "m.csv", [{"twin_id": "T1"}])
    db = tmp_path / "none.duckdb"
    p = run_cli("validate", "twins", good, "--db", db)
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"ok twins {good}: 1 rows — 1 would load (1 new, 0 updated, 0 unchanged), 0 would "
           "be quarantined\n", "")
    p = run_cli("validate", "twins", bad_row, "--db", db)
    assert (p.returncode, p.stdout) == (
        1, f"twins {bad_row}: 2 rows — 1 would load (1 new, 0 updated, 0 unchanged), 1 would "
           "be quarantined\n"
           "  line 3: created_on: not a date YYYY-MM-DD, got '2024-13-01'\n")
    p = run_cli("validate", "twins", good, missing, "--db", db)
    assert p.returncode == 2
    assert p.stderr == (f"error: {missing}: missing required columns model_id, created_on; "
                        "add them to the header (a twins file needs twin_id, model_id, "
                        "created_on)\n")
    assert not db.exists()
    bad_map = tmp_path / "bad.toml"
    bad_map.write_text("[values.status]\nWrapped = 'done'\n")
    p = run_cli("validate", "twins", good, "--db", db, "--map", bad_map)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == (f"error: mapping {bad_map}: [values.status] 'Wrapped' = 'done': not a "
                        "status value (one of active|retired)\n")
