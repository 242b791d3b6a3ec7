"""Sign-in end to end: a local OpenID Connect provider (oidc-provider-mock), Streamlit's
st.login, roles from TWINIMPACT_ACCESS, the brand scope, /upload and meta.audit."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import httpx
import pytest
from browserkit import ARGS, CHROMIUM, free_port, need_chromium, start_dashboard, stop, wait_up
from conftest import ROOT
from playwright.sync_api import expect
from test_browser import _wait_rendered

from etl import audit

pytestmark = pytest.mark.browser

ACCESS = """
[users]
"esg@brand-one.example" = "brand:BR01"
"data@union.example" = "admin"
"""


@pytest.fixture(scope="module")
def signin_server(demo_db, tmp_path_factory):
    need_chromium()
    from oidc_provider_mock import run_server_in_thread

    folder = tmp_path_factory.mktemp("signin")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    (folder / "access.toml").write_text(ACCESS)
    port = free_port()
    with run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        for sub, email, verified in (("brand-one", "esg@brand-one.example", True),
                                     ("admin", "data@union.example", True),
                                     ("stranger", "who@elsewhere.example", True),
                                     # registered itself with the admin's address
                                     ("impostor", "data@union.example", False)):
            r = httpx.put(f"{issuer}/users/{sub}", json={"email": email,
                                                         "email_verified": verified})
            assert r.status_code == 204, r.text
        work = folder / "cwd"  # Streamlit reads .streamlit/secrets.toml from its cwd
        (work / ".streamlit").mkdir(parents=True)
        (work / ".streamlit" / "secrets.toml").write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "test-only-cookie-secret-0123456789"
client_id = "twinimpact-test"
client_secret = "not-a-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
""")
        env = {"TWINIMPACT_PUBLIC": "0", "PYTHONPATH": str(ROOT),
               "TWINIMPACT_ACCESS": str(folder / "access.toml"),
               "AUTHLIB_INSECURE_TRANSPORT": "1"}
        proc, base = start_dashboard(db, env, cwd=work, port=port)
        try:
            wait_up(proc, base, 30)
            yield base, db, folder
        finally:
            stop(proc)


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _sign_in(b, base: str, sub: str):
    """A fresh browser context signed in as `sub` through the provider's authorize page."""
    pg = b.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)\
        .new_page()
    pg.set_default_timeout(20_000)
    pg.goto(f"{base}/data")
    _wait_rendered(pg)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_selector("input[name=sub]")
    pg.fill("input[name=sub]", sub)
    pg.get_by_role("button", name="Authorize").click()
    pg.wait_for_url(f"{base}/**")
    _wait_rendered(pg)
    return pg


def test_anonymous_visitors_see_public_mode_and_no_upload(signin_server, browser):
    base, _, _ = signin_server
    pg = browser.new_page()
    pg.goto(f"{base}/")
    _wait_rendered(pg)
    expect(pg.locator("[data-testid=stSidebar]")).to_contain_text("Public mode")
    expect(pg.get_by_role("button", name="Sign in")).to_be_visible()
    assert pg.locator("[data-testid=stSidebarNav] a[href$='/upload']").count() == 0
    pg.goto(f"{base}/upload")
    _wait_rendered(pg)
    expect(pg.locator("body")).not_to_contain_text("Upload files")


def test_an_unverified_email_gets_no_role(signin_server, browser):
    """Issue 17 item 3: the provider says data@union.example (the admin's address) but not
    that it verified it: public mode, no /upload, no audit log."""
    base, db, _ = signin_server
    pg = _sign_in(browser, base, "impostor")
    sidebar = pg.locator("[data-testid=stSidebar]")
    # (an invisible word joiner after @: ui.plain keeps any e-mail address from a mailto: link)
    expect(sidebar).to_contain_text("Signed in as data@\u2060union.example · role public")
    expect(sidebar).to_contain_text("did not mark this e-mail as verified")
    assert pg.locator("[data-testid=stSidebarNav] a[href$='/upload']").count() == 0
    expect(pg.locator("[data-testid=stMain]")).not_to_contain_text("Audit log")
    rows = audit.read(db)
    assert ("data@union.example", "public", "sign-in") in set(
        zip(rows["user"], rows["role"], rows["action"], strict=True))


def test_brand_user_cannot_reach_another_brand(signin_server, browser):
    base, db, _ = signin_server
    pg = _sign_in(browser, base, "brand-one")
    expect(pg.locator("[data-testid=stSidebar]")).to_contain_text(
        "Signed in as esg@\u2060brand-one.example · role brand:BR01")
    pg.goto(f"{base}/displacement?brand=BR02")
    _wait_rendered(pg)
    expect(pg.locator("[data-testid=stAlert]").first).to_contain_text(
        "Ignored brand='BR02': you may see only BR01's figures.")
    assert "brand=BR01" in pg.url  # the URL now names the brand the figures are about
    main = pg.locator("[data-testid=stMain]").inner_text()
    assert "BR02" not in main.replace("Ignored brand='BR02'", "")
    sidebar = pg.locator("[data-testid=stSidebar]")
    sidebar.get_by_label("Brand").click()  # the brand filter offers only their own brand
    expect(pg.get_by_role("listbox")).to_be_visible()
    expect(pg.get_by_role("option", name="BR02")).to_have_count(0)
    pg.keyboard.press("Escape")
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download data as CSV").first.click()
    table = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "BR02" not in table
    pg.goto(f"{base}/brand-report?brand=BR02")
    _wait_rendered(pg)
    expect(pg.locator("body")).to_contain_text("Ignored brand='BR02'")
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download the BR01 report (HTML)").click()
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "BR01" in html and "BR02" not in html
    assert pg.locator("[data-testid=stUpload]").count() == 0
    rows = audit.read(db)
    mine = rows[rows["user"] == "esg@brand-one.example"]
    assert set(zip(mine["role"], mine["action"], strict=True)) == {
        ("brand:BR01", "sign-in"), ("brand:BR01", "report-export")}


def test_admin_uploads_and_the_audit_holds_it(signin_server, browser, tmp_path):
    base, db, _ = signin_server
    pg = _sign_in(browser, base, "admin")
    expect(pg.locator("[data-testid=stSidebar]")).to_contain_text("role admin")
    csv = tmp_path / "new-twins.csv"
    csv.write_text("twin_id,model_id,created_on,platform,status,colour\n"
                   "TWX001,DE-model-00006,2025-02-01,Mirrorline (fictional),active,red\n"
                   "TWX002,DE-model-00006,not-a-date,Mirrorline (fictional),active,blue\n")
    pg.goto(f"{base}/upload")
    _wait_rendered(pg)
    pg.get_by_label("Kind of data").click()
    pg.get_by_role("option", name="twins", exact=True).click()
    pg.locator("input[type=file]").set_input_files(str(csv))
    load = pg.get_by_role("button", name="Load these files", exact=True)
    expect(load).to_be_enabled()
    load.click()
    expect(pg.locator("body")).to_contain_text(
        "loaded twins new-twins.csv: 2 rows in — 1 inserted, 0 updated, 0 unchanged, "
        "1 quarantined", timeout=60_000)
    expect(pg.locator("body")).to_contain_text("ignored columns: colour")
    expect(pg.get_by_role("button", name="Download quarantined rows as CSV (1 row)")) \
        .to_be_visible()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select model_id from raw.twins where twin_id = 'TWX001'") \
            .fetchall() == [("DE-model-00006",)]
        # the upload's own publish folded the sign-ins before it, and its own row, into
        # meta.audit (CONTRACT §7)
        folded = con.execute('select "user", action, object from meta.audit').fetchall()
    assert ("data@union.example", "sign-in", "dashboard") in folded
    assert ("data@union.example", "upload", "twins: new-twins.csv") in folded
    rows = audit.read(db)
    up = rows[rows["action"] == "upload"]
    assert list(zip(up["user"], up["role"], up["object"], up["result"], strict=True)) == [
        ("data@union.example", "admin", "twins: new-twins.csv", "ok")]
    # the Data page shows the audit log to admins
    pg.goto(f"{base}/data")
    _wait_rendered(pg)
    expect(pg.locator("body")).to_contain_text("Audit log")
