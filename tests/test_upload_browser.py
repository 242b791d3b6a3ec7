"""/upload in a real browser: an admin loads an agency export through a saved mapping, and
saves a mapping of their own from the suggested one."""

from __future__ import annotations

import duckdb
import pytest
from conftest import run_cli
from playwright.sync_api import expect
from test_browser import _wait_rendered
from test_load_mapping import CREW_EXPORT, CREW_MAP
from test_signin_browser import _sign_in, browser, signin_server  # noqa: F401 — fixtures

pytestmark = pytest.mark.browser


def _choose(pg, label: str, option: str) -> None:
    pg.get_by_label(label, exact=True).click()
    pg.get_by_role("option", name=option, exact=True).click()


def test_admin_loads_a_file_through_a_saved_mapping(signin_server, browser, tmp_path):  # noqa: F811
    base, db, _ = signin_server
    spec = tmp_path / "agency.toml"
    spec.write_text(CREW_MAP)
    first = tmp_path / "crew-week1.csv"
    first.write_text(CREW_EXPORT.replace(";K", ";W1K").replace("\nK", "\nW1K"))
    p = run_cli("load", "booking-crew", first, "--db", db, "--map", spec,
                "--save-map", "agency-crew")
    assert p.returncode == 0, p.stderr

    week2 = tmp_path / "crew-week2.csv"
    week2.write_text(CREW_EXPORT.replace("\nK", "\nW2K"))
    pg = _sign_in(browser, base, "admin")
    pg.goto(f"{base}/upload")
    _wait_rendered(pg)
    _choose(pg, "Kind of data", "booking-crew")
    pg.locator("input[type=file]").set_input_files(str(week2))
    _choose(pg, "Mapping", "saved: agency-crew")
    box = pg.get_by_label("Mapping (TOML): check and edit it before loading")
    expect(box).to_have_value(CREW_MAP)
    pg.get_by_role("button", name="Load these files", exact=True).click()
    expect(pg.locator("body")).to_contain_text(
        "loaded booking-crew crew-week2.csv: 3 rows in — 3 inserted, 0 updated, 0 unchanged, "
        "0 quarantined", timeout=60_000)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select file, mapping_name, rows_in from meta.loads "
                           "where file = 'crew-week2.csv'").fetchall() == [
            ("crew-week2.csv", "agency-crew", 3)]
        assert con.execute(
            "select booking_id, person_id, role, day_rate::double, currency "
            "from raw.booking_crew where booking_id like 'W2K%' order by 1, 2").fetchall() == [
            ("W2K1", "P1", "photographer", 1250.0, "GBP"),
            ("W2K1", "P2", "hair_makeup", 450.5, "GBP"),
            ("W2K2", "P3", "model", 2000.0, "GBP")]

    # a suggested mapping, edited in the box and saved under a new name
    week3 = tmp_path / "crew-week3.csv"
    week3.write_text(CREW_EXPORT.replace("\nK", "\nW3K"))
    pg.goto(f"{base}/upload")
    _wait_rendered(pg)
    _choose(pg, "Kind of data", "booking-crew")
    pg.locator("input[type=file]").set_input_files(str(week3))
    _choose(pg, "Mapping", "suggest one from the first file")
    box = pg.get_by_label("Mapping (TOML): check and edit it before loading")
    expect(box).to_contain_text('"Talent" = "person_id"  # known synonym')
    box.fill(CREW_MAP)
    box.press("Control+Enter")
    save = pg.get_by_label("Save this mapping as (optional, --save-map)")
    save.fill("browser-crew")
    save.press("Enter")
    _wait_rendered(pg)
    pg.get_by_role("button", name="Load these files", exact=True).click()
    expect(pg.locator("body")).to_contain_text(
        "loaded booking-crew crew-week3.csv: 3 rows in — 3 inserted", timeout=60_000)
    expect(pg.locator("body")).to_contain_text("Saved mapping browser-crew for booking-crew.")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select name, text from meta.mappings where kind = 'booking-crew' "
                           "order by name").fetchall() == [
            ("agency-crew", CREW_MAP), ("browser-crew", CREW_MAP)]
