"""`twinimpact schema --out DIR`: the Frictionless Data Package of CONTRACT §1, checked by
frictionless itself on the demo's files."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run_cli

from etl import schema
from etl.contracts import KIND_LIST

frictionless = pytest.importorskip("frictionless")


def _package_with_demo_files(demo_db, out):
    p = run_cli("schema", "--out", out)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    files = demo_db.parent / "files"
    for k in KIND_LIST:
        if k.name != "bookings":
            shutil.copyfile(files / f"{k.name}.csv", out / f"{k.name}.csv")
    # the demo writes some brands' bookings in separate files: one resource, one file
    parts = sorted(files.glob("bookings*.csv"))
    assert len(parts) > 1
    lines = parts[0].read_text().splitlines()
    for part in parts[1:]:
        lines += part.read_text().splitlines()[1:]
    (out / "bookings.csv").write_text("\n".join(lines) + "\n")
    return out / "datapackage.json"


def _errors(report):
    return [(t.name, e.type, getattr(e, "field_name", None), getattr(e, "note", ""))
            for t in report.tasks for e in t.errors]


def test_frictionless_passes_the_demo_files_and_fails_a_missing_required_column(
        demo_db, tmp_path, monkeypatch):
    pkg = _package_with_demo_files(demo_db, tmp_path / "pkg")
    report = frictionless.validate(str(pkg))
    assert _errors(report) == []
    assert report.valid
    assert [t.stats["rows"] > 0 for t in report.tasks] == [True] * 6
    # bookings without its required `status` column
    bookings = tmp_path / "pkg" / "bookings.csv"
    rows = [line.split(",") for line in bookings.read_text().splitlines()]
    at = rows[0].index("status")
    bookings.write_text("\n".join(",".join(r[:at] + r[at + 1:]) for r in rows) + "\n")
    report = frictionless.validate(str(pkg))
    assert not report.valid
    assert {(name, kind) for name, kind, *_ in _errors(report)} >= {("bookings",
                                                                     "missing-label")}
    # one file alone, against its standalone schema (no foreign keys to look up)
    monkeypatch.chdir(tmp_path / "pkg")  # frictionless reads only paths below the folder
    report = frictionless.validate("bookings.csv", schema="schemas/bookings.json")
    assert not report.valid
    assert "missing-label" in {e.type for t in report.tasks for e in t.errors}


def test_the_schema_says_what_the_contract_says():
    pkg, schemas = schema.package()
    assert [r["name"] for r in pkg["resources"]] == [k.name for k in KIND_LIST]
    crew = next(r for r in pkg["resources"] if r["name"] == "booking-crew")["schema"]
    assert crew["primaryKey"] == ["booking_id", "person_id", "role"]
    assert crew["foreignKeys"] == [{"fields": "booking_id", "reference": {
        "resource": "bookings", "fields": "booking_id"}}]
    assert "foreignKeys" not in schemas["booking-crew"]
    assert crew["missingValues"] == [""]
    fields = {f["name"]: f for f in crew["fields"]}
    assert fields["days"]["type"] == "number"
    assert fields["days"]["constraints"] == {"exclusiveMinimum": 0, "required": True}
    assert fields["fee_total"]["constraints"] == {"minimum": 0}
    assert fields["person_id"]["constraints"] == {"maxLength": 128, "required": True}
    bookings = {f["name"]: f for f in schemas["bookings"]["fields"]}
    assert bookings["status"]["constraints"] == {
        "enum": ["confirmed", "completed", "cancelled"], "required": True}
    assert bookings["days"]["constraints"] == {"exclusiveMinimum": 0, "maximum": 60,
                                               "required": True}
    assert bookings["shoot_date"] == {"name": "shoot_date", "type": "date", "constraints": {
        "minimum": "2000-01-01", "required": True}, "description": "ISO 8601 date YYYY-MM-DD."}
    twins = {f["name"]: f for f in schemas["twins"]["fields"]}
    assert "constraints" not in twins["status"] or "required" not in twins["status"][
        "constraints"]
    assert twins["status"]["description"] == "Optional column; empty or absent means 'active'."
    employment = [f["name"] for f in schemas["crew-employment"]["fields"]]
    assert "source_url" not in employment  # our extension, not the standard
    assert "a key that appears more than once in one file quarantines all its rows" in \
        pkg["description"]
    json.dumps(pkg)  # plain JSON
