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


def _errors(report):
    return [(t.name, e.type) for t in report.tasks for e in t.errors]


def test_frictionless_passes_the_demo_folder_and_fails_a_missing_required_column(
        demo_db, tmp_path, monkeypatch):
    # the demo's folder as it writes it (some brands' bookings in files of their own), with
    # the package written into it
    demo = tmp_path / "demo"
    shutil.copytree(demo_db.parent / "files", demo)
    p = run_cli("schema", "--out", demo)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == (f"wrote {demo / 'datapackage.json'}, datapackage-references.json "
                        f"(with foreign keys) and 6 Table Schemas in {demo / 'schemas'}\n")
    report = frictionless.validate(str(demo / "datapackage.json"))
    assert _errors(report) == []
    assert [t.name for t in report.tasks] == [k.name for k in KIND_LIST]
    assert all(t.stats["rows"] > 0 for t in report.tasks)
    # bookings without its required `status` column
    bookings = demo / "bookings.csv"
    original = bookings.read_text()
    rows = [line.split(",") for line in original.splitlines()]
    at = rows[0].index("status")
    bookings.write_text("\n".join(",".join(r[:at] + r[at + 1:]) for r in rows) + "\n")
    report = frictionless.validate(str(demo / "datapackage.json"))
    assert not report.valid
    assert ("bookings", "missing-label") in _errors(report)
    assert {name for name, _ in _errors(report)} == {"bookings"}
    # one file alone, against its own schema
    monkeypatch.chdir(demo)  # frictionless reads only paths below the folder
    report = frictionless.validate("bookings.csv", schema="schemas/bookings.json")
    assert ("bookings", "missing-label") in _errors(report)
    bookings.write_text(original)
    assert frictionless.validate("bookings.csv", schema="schemas/bookings.json").valid


def test_the_references_package_checks_a_complete_set(demo_db, tmp_path):
    out = tmp_path / "set"
    assert run_cli("schema", "--out", out).returncode == 0
    files = demo_db.parent / "files"
    for k in KIND_LIST:
        shutil.copyfile(files / f"{k.name}.csv", out / f"{k.name}.csv")
    # one file per kind: the demo's separate bookings files concatenated into bookings.csv
    lines = (files / "bookings.csv").read_text().splitlines()
    extra = sorted(files.glob("bookings-*.csv"))
    assert extra
    for part in extra:
        lines += part.read_text().splitlines()[1:]
    (out / "bookings.csv").write_text("\n".join(lines) + "\n")
    assert _errors(frictionless.validate(str(out / "datapackage-references.json"))) == []
    # a crew row whose booking is in no file breaks only the references package
    crew = out / "booking-crew.csv"
    crew.write_text(crew.read_text() + "NO-SUCH-BOOKING,P1,photographer,1,100,,EUR\n")
    assert _errors(frictionless.validate(str(out / "datapackage-references.json"))) == [
        ("booking-crew", "foreign-key")]
    assert frictionless.validate(str(out / "datapackage.json")).valid


def test_the_schema_says_what_the_contract_says():
    pkg, refs, alone = schema.package(), schema.package(references=True), schema.schemas()
    assert [r["name"] for r in pkg["resources"]] == [k.name for k in KIND_LIST]
    crew = next(r for r in refs["resources"] if r["name"] == "booking-crew")
    assert crew["schema"]["primaryKey"] == ["booking_id", "person_id", "role"]
    assert crew["schema"]["foreignKeys"] == [{"fields": "booking_id", "reference": {
        "resource": "bookings", "fields": "booking_id"}}]
    assert crew["description"].endswith("References: booking_id → bookings.booking_id "
                                        "(foreign keys).")
    plain = next(r for r in pkg["resources"] if r["name"] == "booking-crew")
    assert "foreignKeys" not in plain["schema"] and "foreignKeys" not in alone["booking-crew"]
    assert plain["description"].endswith("(not enforced here: see "
                                         "datapackage-references.json).")
    assert alone["booking-crew"]["missingValues"] == [""]
    fields = {f["name"]: f for f in alone["booking-crew"]["fields"]}
    assert fields["days"]["type"] == "number"
    assert fields["days"]["constraints"] == {"exclusiveMinimum": 0, "required": True}
    assert fields["fee_total"]["constraints"] == {"minimum": 0}
    assert fields["person_id"]["constraints"] == {"maxLength": 128, "required": True}
    bookings = {f["name"]: f for f in alone["bookings"]["fields"]}
    assert bookings["status"]["constraints"] == {
        "enum": ["confirmed", "completed", "cancelled"], "required": True}
    assert bookings["days"]["constraints"] == {"exclusiveMinimum": 0, "maximum": 60,
                                               "required": True}
    assert bookings["shoot_date"] == {"name": "shoot_date", "type": "date", "constraints": {
        "minimum": "2000-01-01", "required": True}, "description": "ISO 8601 date YYYY-MM-DD."}
    twins = {f["name"]: f for f in alone["twins"]["fields"]}
    assert twins["status"]["constraints"] == {"enum": ["active", "retired"]}  # not required
    assert twins["status"]["description"] == "Optional column; empty or absent means 'active'."
    employment = [f["name"] for f in alone["crew-employment"]["fields"]]
    assert "source_url" not in employment and "note" not in employment  # our extensions
    assert "a key that appears more than once in one file quarantines all its rows" in \
        pkg["description"]
    json.dumps(pkg)  # plain JSON
