"""/upload's loading (dashboard/upload_flow.py): files known by their own names, every load
option and the mapping step, as `twinimpact load` does them."""

from __future__ import annotations

import duckdb
import pytest
from test_load_mapping import CREW_EXPORT, CREW_MAP

from dashboard import queries, upload_flow
from dashboard.upload_flow import Options
from etl.errors import UsageError, UserError

BOOKINGS_HEAD = "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n"
MARCH = BOOKINGS_HEAD + ("K1,BR01,2024-01-10,ecommerce,GB,1,10,completed\n"
                         "K2,BR01,2024-03-10,ecommerce,GB,1,10,completed\n")
JUNE = BOOKINGS_HEAD + ("K3,BR01,2024-05-10,ecommerce,GB,1,10,completed\n"
                        "K4,BR01,2024-06-10,ecommerce,GB,1,10,completed\n")


def _coverage(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select file, brand_id, first_month::varchar, last_month::varchar "
                           "from meta.coverage order by load_id").fetchall()


def test_a_reuploaded_file_replaces_its_coverage_and_keeps_its_name(tmp_path):
    db = tmp_path / "w.duckdb"
    [r] = upload_flow.load_uploads(db, "bookings", [("bookings.csv", MARCH.encode())],
                                   Options())
    assert (r["file"], r["inserted"]) == ("bookings.csv", 2)
    assert _coverage(db) == [("bookings.csv", "BR01", "2024-01-01", "2024-03-01")]
    # the export of the same name, later: it states that file's coverage now
    [r] = upload_flow.load_uploads(db, "bookings", [("bookings.csv", JUNE.encode())],
                                   Options())
    assert _coverage(db) == [("bookings.csv", "BR01", "2024-05-01", "2024-06-01")]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select file from meta.loads").fetchall() == [
            ("bookings.csv",), ("bookings.csv",)]


def test_every_load_option_reaches_the_loader(tmp_path):
    db = tmp_path / "w.duckdb"
    latin = ("booking_id,person_id,role,days,day_rate,currency\n"
             "K1,Zoë,photographer,1,\"1.250,50\",GBP\n").encode("latin-1")
    [r] = upload_flow.load_uploads(db, "booking-crew", [("crew.csv", latin)],
                                   Options(encoding="latin-1", decimal=",", currency="GBP"))
    assert (r["status"], r["inserted"], r["quarantined"]) == ("loaded", 1, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select person_id, day_rate::double from raw.booking_crew"
                           ).fetchall() == [("Zoë", 1250.5)]
        assert con.execute("select value from meta.settings "
                           "where key = 'reporting_currency'").fetchall() == [("GBP",)]
    [r] = upload_flow.load_uploads(db, "bookings", [("b.csv", MARCH.encode())],
                                   Options(covers="2023-12..2024-06", currency="GBP"))
    assert _coverage(db) == [("b.csv", "BR01", "2023-12-01", "2024-06-01")]
    with pytest.raises(UsageError, match="--covers applies to bookings files only"):
        upload_flow.load_uploads(db, "twins", [("t.csv", b"x")], Options(covers="2024-01..2024-02"))


def test_the_mapping_step_suggests_saves_and_reuses_by_name(tmp_path):
    db = tmp_path / "w.duckdb"
    proposal = upload_flow.suggest("booking-crew", "crew.csv", CREW_EXPORT.encode())
    assert '"Talent" = "person_id"  # known synonym' in proposal.splitlines()
    [r] = upload_flow.load_uploads(db, "booking-crew", [("crew.csv", CREW_EXPORT.encode())],
                                   Options(mapping_text=CREW_MAP, save_as="agency"))
    assert (r["file"], r["inserted"], r["quarantined"]) == ("crew.csv", 3, 0)
    saved = queries.saved_mappings(db, "booking-crew")
    assert saved[["name", "text"]].values.tolist() == [["agency", CREW_MAP]]
    assert queries.saved_mappings(db, "bookings").empty
    # reused by name, an unmapped label is quarantined naming it; the upload shows its rows
    later = CREW_EXPORT.replace("K2;P3;Model", "K7;P7;Runner")
    [r] = upload_flow.load_uploads(db, "booking-crew", [("crew.csv", later.encode())],
                                   Options(mapping_text=CREW_MAP, mapping_name="agency"))
    assert (r["inserted"], r["unchanged"], r["quarantined"]) == (0, 2, 1)
    q = queries.quarantine_of(db, ("crew.csv",))
    assert q[["file", "line", "reason"]].values.tolist() == [
        ["crew.csv", 4, "role: not in [values.role] of mapping agency; add it to that map, "
                        "got 'Runner'"]]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select mapping_name from meta.loads order by load_id").fetchall() \
            == [("agency",), ("agency",)]
    with pytest.raises(UserError, match="not valid TOML"):
        upload_flow.load_uploads(db, "booking-crew", [("c.csv", b"x")],
                                 Options(mapping_text="[columns"))
    with pytest.raises(UsageError, match="give a mapping to save"):
        upload_flow.load_uploads(db, "booking-crew", [("c.csv", b"x")], Options(save_as="x"))


@pytest.mark.parametrize(("given", "safe"), [("bookings.csv", "bookings.csv"),
                                             ("../../etc/passwd", "passwd"),
                                             ("a b<c>.csv", "a b_c_.csv")])
def test_safe_names(given, safe):
    assert upload_flow.safe_name(given) == safe
