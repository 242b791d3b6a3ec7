"""Check an image in Debian's chromium: an image signed at test time, read in words; the
Consent page compares checked with claimed disclosure on the demo."""

from __future__ import annotations

import shutil

import pytest
from browserkit import ARGS, CHROMIUM, need_chromium, start_dashboard, stop, wait_up
from playwright.sync_api import expect
from test_browser import _wait_rendered

from etl.sim import signing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(demo_db, tmp_path_factory):
    """The demo dashboard, trusting a throwaway studio's anchor; a JPEG that studio signed
    (its names hold Markdown and HTML, which must show as text) and one another signed."""
    need_chromium()
    folder = tmp_path_factory.mktemp("check-image")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    studio = signing.make_chain("Maison *A* <b>Studio</b>", "[key](http://evil.example)")
    stranger = signing.make_chain("Stranger", "s")
    (folder / "anchors.pem").write_bytes(studio.ca_pem)
    signed = folder / "signed.jpg"
    signed.write_bytes(signing.sign(signing.picture("jpeg"), "jpeg", studio,
                                    signing.manifest(generator="Twin<script>Gen")))
    other = folder / "other.png"
    other.write_bytes(signing.tamper(signing.sign(signing.picture("png"), "png", stranger,
                                                  signing.manifest(training="allowed")), "png"))
    text = folder / "fake.jpg"
    text.write_bytes(b"hello, not an image")
    proc, base = start_dashboard(db, {"TWINIMPACT_PUBLIC": "0",
                                      "TWINIMPACT_TRUST": str(folder / "anchors.pem")})
    try:
        wait_up(proc, base, 40)
        yield base, db, {"signed": signed, "other": other, "text": text}
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def page(site):
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1300, "height": 1000})
        pg.set_default_timeout(30_000)
        yield pg
        browser.close()


def _check(page, base, path):
    page.goto(f"{base}/check-image")
    _wait_rendered(page)
    expect(page.locator("h1")).to_have_text("Check an image")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    _wait_rendered(page)


def test_a_signed_image_is_read_in_words(site, page):
    base, db, files = site
    before = db.read_bytes()
    _check(page, base, files["signed"])
    body = page.locator("[data-testid=stMain]")
    expect(body).to_contain_text("This image declares it was made with generative AI, in its "
                                 "content credentials, which still match the image.")
    expect(body).to_contain_text("Signer: trusted — its certificate chains to a configured "
                                 "trust anchor.")
    expect(body).to_contain_text("AI training: the credentials says the image may NOT be "
                                 "used to train AI models.")
    # free text from the image shows as the same text: no bold, no HTML, no link
    expect(body).to_contain_text("Signer organisation: Maison *A* <b>Studio</b>")
    expect(body).to_contain_text("Signer name: [key](http://evil.example)")
    expect(body).to_contain_text("Made with (claim generator): Twin<script>Gen 1.0")
    assert page.locator("[data-testid=stMain] a[href='http://evil.example']").count() == 0
    assert page.locator("[data-testid=stMain] b").count() == 0
    expect(body).to_contain_text("A missing label proves nothing.")
    # the local single user is not an admin: no load button, and nothing was stored
    assert page.get_by_role("button", name="Load this image").count() == 0
    assert db.read_bytes() == before


def test_tampered_untrusted_and_wrong_type_images(site, page):
    base, _, files = site
    _check(page, base, files["other"])
    body = page.locator("[data-testid=stMain]")
    expect(body).to_contain_text("which NO LONGER match the image")
    expect(body).to_contain_text("present but INVALID")
    expect(body).to_contain_text("Signer: not trusted here")
    _check(page, base, files["text"])
    expect(body).to_contain_text("error: this file cannot be checked: not a JPEG, PNG, WebP, "
                                 "AVIF or HEIC image")


def test_the_consent_page_compares_checked_with_claimed(site, page):
    base, _, _ = site
    page.goto(f"{base}/consent?from=2022-01&to=2026-06")
    _wait_rendered(page)
    body = page.locator("[data-testid=stMain]")
    expect(body).to_contain_text("Disclosed as AI: what the images say against what the "
                                 "brands claim")
    expect(body).to_contain_text("checked and claimed disagree")
