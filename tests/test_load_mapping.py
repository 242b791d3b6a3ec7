"""`load --map`: real-shaped exports load into exactly the rows of their contract-shaped twins.

Each export below is what a studio or agency system writes (other headers, dd/mm/yyyy, £ with
thousands separators, value labels, a one-brand file without a brand column); its twin is the
same data in CONTRACT §1's shape. With the mapping, both warehouses hold the same raw rows.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import run_cli
from loadkit import TODAY

from etl import mapping
from etl.errors import UserError
from etl.load import load_paths

BOOKINGS_TWIN = """\
booking_id,brand_id,shoot_date,channel,region,days,assets,status,cancel_reason
K1,BR01,2024-03-08,ecommerce,GB,1.5,40,completed,
K2,BR01,2024-03-15,campaign,GB,2,12,cancelled,budget
K3,BR01,2024-04-02,ecommerce,SE,1,1250,confirmed,
"""
BOOKINGS_EXPORT = """\
Job No.,Shoot Date,Type,Country,Days,Looks delivered,Status,Cancellation,Notes
K1,08/03/2024,E-com,GB,1.5,40,Wrapped,,great light
K2,15/03/2024,Campaign,gb,2,12,Cxl,Budget cut,
K3,02/04/2024,E-com,SE,1,"1,250",Booked,,"call sheet v2, final"
"""
BOOKINGS_MAP = """\
kind = "bookings"
ignore = ["Notes"]
[columns]
"Job No." = "booking_id"
"Shoot Date" = "shoot_date"
"Type" = "channel"
"Country" = "region"
"Looks delivered" = "assets"
"Cancellation" = "cancel_reason"
[values.channel]
"E-com" = "ecommerce"
"Campaign" = "campaign"
[values.status]
"Wrapped" = "completed"
"Cxl" = "cancelled"
"Booked" = "confirmed"
[values.cancel_reason]
"Budget cut" = "budget"
[formats]
shoot_date = "%d/%m/%Y"
assets = { thousands = "," }
[constants]
brand_id = "BR01"
"""

CREW_TWIN = """\
booking_id,person_id,role,days,day_rate,fee_total,currency
K1,P1,photographer,1.5,1250.00,,GBP
K1,P2,hair_makeup,1.5,450.50,,GBP
K2,P3,model,2,2000,2100,GBP
"""
CREW_EXPORT = """\
Booking Ref;Talent;Role;Days Worked;Day Rate (£);Total (£)
K1;P1;Photographer;1.5;£1,250.00;
K1;P2;Hair & Make-up;1.5;£450.50;
K2;P3;Model;2;£2,000;"£ 2,100.00"
"""
CREW_MAP = """\
[columns]
"Booking Ref" = "booking_id"
"Talent" = "person_id"
"Days Worked" = "days"
"Day Rate (£)" = "day_rate"
"Total (£)" = "fee_total"
[values.role]
"Photographer" = "photographer"
"Hair & Make-up" = "hair_makeup"
"Model" = "model"
[formats]
day_rate = { decimal = ".", thousands = ",", strip = "£" }
fee_total = { decimal = ".", thousands = ",", strip = "£" }
[constants]
currency = "GBP"
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _raw(db, table, key):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * exclude (_load_id) from raw.{table} "  # noqa: S608
                           f"order by {key}").fetchall()


def _load(db, kind, path, transform=None, **kw):
    [r] = load_paths(db, kind, [path], today=TODAY, transform=transform, **kw)
    return r


@pytest.mark.parametrize("kind,table,key,twin,export,spec", [
    ("bookings", "bookings", "booking_id", BOOKINGS_TWIN, BOOKINGS_EXPORT, BOOKINGS_MAP),
    ("booking-crew", "booking_crew", "booking_id, person_id, role", CREW_TWIN, CREW_EXPORT,
     CREW_MAP),
])
def test_mapped_export_loads_exactly_the_rows_of_its_twin(tmp_path, kind, table, key, twin,
                                                         export, spec):
    twin_db, export_db = tmp_path / "twin.duckdb", tmp_path / "export.duckdb"
    r_twin = _load(twin_db, kind, _write(tmp_path, "twin.csv", twin))
    m = mapping.parse(spec, kind, "agency.toml")
    r_export = _load(export_db, kind, _write(tmp_path, "export.csv", export), m)
    assert r_twin["quarantined"] == r_export["quarantined"] == 0
    assert r_export["rows_in"] == r_export["inserted"] == 3
    assert r_export["ignored_columns"] == []
    assert _raw(export_db, table, key) == _raw(twin_db, table, key)
    with duckdb.connect(str(export_db), read_only=True) as con:
        name, sha, text = con.execute("select mapping_name, mapping_sha256, mapping_text "
                                      "from meta.loads").fetchone()
    assert (name, sha, text) == (None, m.sha256, spec)


def test_the_comparison_above_would_see_a_difference(tmp_path):
    """Without its date format the export's dd/mm/yyyy dates are quarantined, not loaded."""
    spec = BOOKINGS_MAP.replace('shoot_date = "%d/%m/%Y"\n', "")
    r = _load(tmp_path / "w.duckdb", "bookings", _write(tmp_path, "e.csv", BOOKINGS_EXPORT),
              mapping.parse(spec, "bookings", "m.toml"))
    assert (r["inserted"], r["quarantined"]) == (0, 3)


def _quarantine(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select line, reason, raw from meta.quarantine order by line"
                           ).fetchall()


def test_an_unmapped_value_is_quarantined_naming_the_map_never_guessed(tmp_path):
    export = BOOKINGS_EXPORT + "K4,03/04/2024,Lookbook,GB,1,5,completed,,\n" \
        "K5,31/02/2024,E-com,GB,1,5,Wrapped,,\nK6,04/04/2024,E-com,GB,1,\"1.250,00\",Wrapped,,\n"
    db = tmp_path / "w.duckdb"
    r = _load(db, "bookings", _write(tmp_path, "e.csv", export),
              mapping.parse(BOOKINGS_MAP, "bookings", "/x/agency.toml"))
    assert (r["rows_in"], r["inserted"], r["quarantined"]) == (6, 3, 3)
    rows = _quarantine(db)
    assert [(line, reason) for line, reason, _ in rows] == [
        # "Lookbook" is a channel name, and "completed" a status: still not in their maps
        (5, "channel: not in [values.channel] of mapping agency.toml; add it to that map, "
            "got 'Lookbook'"),
        (6, "shoot_date: does not match the date format %d/%m/%Y of mapping agency.toml, "
            "got '31/02/2024'"),
        (7, "assets: does not match the number format (decimal '.', thousands ',') of "
            "mapping agency.toml, got '1.250,00'"),
    ]
    assert json.loads(rows[0][2]) == {
        "Job No.": "K4", "Shoot Date": "03/04/2024", "Type": "Lookbook", "Country": "GB",
        "Days": "1", "Looks delivered": "5", "Status": "completed", "Cancellation": None,
        "Notes": None}


def test_mapping_problems_with_the_file_reject_it_with_one_line(tmp_path):
    m = mapping.parse(BOOKINGS_MAP, "bookings", "agency.toml")
    db = tmp_path / "w.duckdb"
    no_job = _write(tmp_path, "a.csv", BOOKINGS_EXPORT.replace("Job No.", "Job"))
    assert _load(db, "bookings", no_job, m)["error"] == (
        "missing required column booking_id; add it to the header (a bookings file needs "
        "booking_id, brand_id, shoot_date, channel, region, days, assets, status); the "
        "mapping agency.toml expects 'Job No.', which the file does not have")
    both = _write(tmp_path, "b.csv", BOOKINGS_EXPORT.replace("Notes", "Brand_ID"))
    assert _load(db, "bookings", both, m)["error"] == (
        "the mapping agency.toml gives brand_id a constant, but the file has a brand_id "
        "column; ignore that column in the mapping or remove the constant")


@pytest.mark.parametrize("spec,message", [
    ("kind = 'twins'", "mapping m.toml: is for kind 'twins', not bookings; load it as "
                       "`twinimpact load twins …` or use another map"),
    ("[columns]\nA = 'brand'", "mapping m.toml: [columns] 'A': 'brand' is not a bookings "
                               "column (one of booking_id, brand_id, shoot_date, channel, "
                               "region, days, assets, status, cancel_reason)"),
    ("[values.status]\nWrapped = 'complete'",
     "mapping m.toml: [values.status] 'Wrapped' = 'complete': not a status value (one of "
     "cancelled|completed|confirmed)"),
    ("[formats]\nshoot_date = '%d/%m'", "mapping m.toml: [formats] shoot_date = '%d/%m': a "
                                        "date format needs a year (%Y or %y), e.g. "
                                        "\"%d/%m/%Y\""),
    ("[formats]\nstatus = '%Y'", "mapping m.toml: [formats] status is a enum column; a date "
                                 "format applies to date columns only"),
    ("[columns]\nX = 'brand_id'\n[constants]\nbrand_id = 'B'",
     "mapping m.toml: brand_id has both a source column ('X') and a constant; keep one"),
    ("[columns\n", "mapping m.toml: not valid TOML (Expected ']' at the end of a table "
                   "declaration (at line 1, column 9)); see README \"Load your own data\""),
])
def test_a_wrong_mapping_is_refused_before_any_file_is_read(spec, message):
    with pytest.raises(UserError) as exc:
        mapping.parse(spec, "bookings", "m.toml")
    assert str(exc.value) == message


def test_cli_save_map_then_reuse_by_name_and_a_new_mapping_reloads_the_same_bytes(tmp_path):
    db = tmp_path / "w.duckdb"
    spec = _write(tmp_path, "agency.toml", CREW_MAP.replace('"Model" = "model"\n', ""))
    export = _write(tmp_path, "crew.csv", CREW_EXPORT)
    p = run_cli("load", "booking-crew", export, "--db", db, "--map", spec,
                "--save-map", "agency-crew")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        f"loaded booking-crew {export}: 3 rows in — 2 inserted, 0 updated, 0 unchanged, "
        "1 quarantined (see: twinimpact quarantine)",
        "saved mapping agency-crew for booking-crew; reuse it with --map agency-crew"]
    assert [r[1] for r in _quarantine(db)] == [
        "role: not in [values.role] of mapping agency-crew; add it to that map, got 'Model'"]
    # the same bytes with the same saved mapping: skipped
    p = run_cli("load", "booking-crew", export, "--db", db, "--map", "agency-crew")
    assert p.stdout.startswith(f"skipped booking-crew {export}"), p.stdout + p.stderr
    # a corrected mapping makes the same bytes load again: the missing row is inserted
    spec.write_text(CREW_MAP)
    p = run_cli("load", "booking-crew", export, "--db", db, "--map", spec, "--json")
    assert json.loads(p.stdout) | {"sha256": None, "file": None} == {
        "file": None, "kind": "booking-crew", "sha256": None, "status": "loaded",
        "rows_in": 3, "inserted": 1, "updated": 0, "unchanged": 2, "quarantined": 0,
        "ignored_columns": [], "error": None}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select name, kind, text from meta.mappings").fetchall() == [
            ("agency-crew", "booking-crew", CREW_MAP.replace('"Model" = "model"\n', ""))]
        assert con.execute("select status, mapping_name, mapping_sha256 is not null "
                           "from meta.loads order by load_id").fetchall() == [
            ("loaded", "agency-crew", True), ("skipped", "agency-crew", True),
            ("loaded", None, True)]
    p = run_cli("load", "booking-crew", export, "--db", db, "--map", "no-such-map")
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == (f"error: no mapping named 'no-such-map' for booking-crew in {db}; save "
                        "one with `twinimpact load booking-crew FILE --map FILE.toml "
                        "--save-map no-such-map`, or give a .toml file\n")
    p = run_cli("load", "booking-crew", export, "--db", db, "--save-map", "x")
    assert (p.returncode, p.stderr) == (2, "error: --save-map needs --map FILE.toml (the "
                                           "mapping to save)\n")


def test_map_suggest_proposes_a_mapping_that_after_one_edit_loads_the_twin(tmp_path):
    export = _write(tmp_path, "export.csv", BOOKINGS_EXPORT)
    p = run_cli("map", "suggest", "bookings", export)
    assert (p.returncode, p.stderr) == (0, "")
    lines = p.stdout.splitlines()
    # unsure things are comments or TODOs for a person: the brand is not in the file
    assert lines[-1] == ('# brand_id = "TODO"  # required and not found in the file: map a '
                         'column in [columns] or give the brand this export is from (a '
                         'one-brand file)')
    assert 'shoot_date = "%d/%m/%Y"  # fits all 3 samples' in lines
    m = mapping.parse(p.stdout, "bookings", "suggested.toml")
    assert m.columns == {"job no.": "booking_id", "shoot date": "shoot_date",
                         "type": "channel", "country": "region", "days": "days",
                         "looks delivered": "assets", "status": "status",
                         "cancellation": "cancel_reason"}
    assert m.values == {"channel": {"e-com": "ecommerce", "campaign": "campaign"},
                        "status": {"wrapped": "completed", "cxl": "cancelled",
                                   "booked": "confirmed"},
                        "cancel_reason": {"budget cut": "budget"}}
    assert m.ignore == frozenset({"notes"})
    edited = p.stdout.replace(lines[-1], 'brand_id = "BR01"')
    twin_db, export_db = tmp_path / "twin.duckdb", tmp_path / "export.duckdb"
    _load(twin_db, "bookings", _write(tmp_path, "twin.csv", BOOKINGS_TWIN))
    _load(export_db, "bookings", export, mapping.parse(edited, "bookings", "s.toml"))
    assert _raw(export_db, "bookings", "booking_id") == _raw(twin_db, "bookings", "booking_id")


def test_map_suggest_leaves_an_unknown_label_to_a_person(tmp_path):
    export = _write(tmp_path, "crew.csv", CREW_EXPORT.replace("Model", "Runner"))
    p = run_cli("map", "suggest", "booking-crew", export)
    assert ('"Runner" = "TODO"  # one of model|photographer|photo_assistant|digital_tech|'
            'stylist|hair|makeup|hair_makeup|producer|art_director|set_designer|retoucher|'
            'videographer|other') in p.stdout.splitlines()
    assert 'currency = "GBP"  # from the sign in "Total (£)": check' in p.stdout.splitlines()
    with pytest.raises(UserError, match=r"\[values.role\] 'Runner' = 'TODO': not a role value"):
        mapping.parse(p.stdout, "booking-crew", "s.toml")
    p = run_cli("map", "suggest", "booking-crew", tmp_path / "missing.csv")
    assert (p.returncode, p.stderr) == (1, f"error: {tmp_path / 'missing.csv'}: file not "
                                           "found; check the path\n")


def test_an_ignore_list_written_after_a_table_header_still_ignores():
    # in TOML this `ignore` belongs to [constants]; no contract column has that name
    m = mapping.parse('[constants]\nbrand_id = "BR01"\nignore = ["Notes"]\n', "bookings",
                      "m.toml")
    assert (m.constants, m.ignore) == ({"brand_id": "BR01"}, frozenset({"notes"}))


@pytest.mark.parametrize("ext", ["xlsx", "jsonl", "parquet", "tsv"])
def test_the_mapping_applies_to_every_file_format(tmp_path, ext):
    import csv
    import io

    from loadkit import write

    records = list(csv.DictReader(io.StringIO(BOOKINGS_EXPORT)))
    export = write(tmp_path / f"export.{ext}", records, header=list(records[0]))
    twin_db, export_db = tmp_path / "twin.duckdb", tmp_path / "export.duckdb"
    _load(twin_db, "bookings", _write(tmp_path, "twin.csv", BOOKINGS_TWIN))
    r = _load(export_db, "bookings", export, mapping.parse(BOOKINGS_MAP, "bookings", "m.toml"))
    assert (r["inserted"], r["quarantined"], r["ignored_columns"]) == (3, 0, [])
    twin = [row[:-1] for row in _raw(twin_db, "bookings", "booking_id")]  # all but _line
    assert [row[:-1] for row in _raw(export_db, "bookings", "booking_id")] == twin
