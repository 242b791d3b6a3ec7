"""Issue 17, "No door left open": each item of the review, attacked on its own small world
built through the real loader (`twinimpact load`). Every test here failed on the code before
the fix (see the issue's report); the worlds are worked out by hand in each docstring."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard import auth, disclosure, export, queries, report, signin, upload_flow
from dashboard.audience import Audience
from dashboard.filters import Filters
from etl import audit, cli, config
from etl.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ROOT / "dashboard" / "views"
PAGES = ("overview", "displacement", "income", "consent", "employment", "brand_report",
         "data_sources")


def load(db: Path, folder: Path, kind: str, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    assert cli.main(["load", kind, str(path), "--db", str(db)]) == 0, kind


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


@pytest.fixture
def run(monkeypatch, downloads):
    """A page through AppTest as `aud` (None: what the environment says, here private)."""
    from dashboard import data

    def _run(page: str, db: Path, aud: Audience | None = None, public: bool = False,
             **params) -> AppTest:
        monkeypatch.setenv("TWINIMPACT_DB", str(db))
        monkeypatch.setenv("TWINIMPACT_PUBLIC", "1" if public else "0")
        monkeypatch.delenv("TWINIMPACT_K", raising=False)
        if aud is not None:
            monkeypatch.setattr(data, "audience", lambda: aud)
        else:
            monkeypatch.setattr(data, "audience", signin.audience)
        st.cache_data.clear()
        downloads.clear()
        at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception[0].message
        return at
    return _run


def text_of(at: AppTest) -> str:
    """Every word a page shows (headings, Markdown, alerts, captions, tables, charts, code)."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info",
                                  "warning", "error", "code", "text") for e in at.get(kind)]
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    parts += [e.value.to_csv() for e in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [d.proto.label for d in at.get("download_button")]
    return "\n".join(str(p) for p in parts)


UNION = Audience(role="union", k=None, user="r@union.example")
ADMIN = Audience(role="admin", k=None, user="data@union.example")


# ---- 1. quarantine reasons: no values, keys or paths outside the local mode --------------

@pytest.fixture(scope="module")
def crew_world(tmp_path_factory) -> tuple[Path, Path]:
    """One booking (X1, BR01) and a crew file in a folder named like a person's home: Jane's
    row appears twice (key X1, jane.doe@example.com, stylist: both quarantined), Sam's day
    rate is -975 (quarantined), Ann's row loads."""
    folder = tmp_path_factory.mktemp("home") / "jane-private-exports"
    db = folder.parent / "w.duckdb"
    load(db, folder, "bookings", "bookings.csv",
         "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n"
         "X1,BR01,2025-03-05,ecommerce,GB,1,10,completed\n")
    load(db, folder, "booking-crew", "crew.csv",
         "booking_id,person_id,role,days,day_rate,fee_total,currency\n"
         "X1,jane.doe@example.com,stylist,1,300,,EUR\n"
         "X1,jane.doe@example.com,stylist,1,310,,EUR\n"
         "X1,sam@example.com,hair,1,-975,,EUR\n"
         "X1,ann@example.com,photographer,1,500,,EUR\n")
    return db, folder


SECRET = ("jane.doe", "sam@example.com", "-975", "'X1'", "jane-private-exports")


@pytest.mark.parametrize("who", ["public", "union", "admin"])
def test_quarantine_shows_rule_and_column_only_outside_local_mode(crew_world, run, downloads,
                                                                  who):
    db, _ = crew_world
    aud = {"union": UNION, "admin": ADMIN}.get(who)
    at = run("data_sources", db, aud=aud, public=who == "public")
    said = text_of(at) + "".join(b.decode() for b in downloads.values())
    for needle in SECRET:
        assert needle not in said, (who, needle)
    summary = pd.read_csv(io.BytesIO(downloads["data-quarantine-summary.csv"]))
    assert sorted(zip(summary["file"], summary["column_name"], summary["rule"],
                      summary["rows"], strict=True)) == [
        ("crew.csv", "booking_id, person_id, role",
         "a key appears more than once in this file", 2),
        ("crew.csv", "day_rate", "must be ≥ 0", 1)]
    # no button that would download the rows (or, as before, always 0 of them)
    assert not [d for d in at.get("download_button") if "quarantined rows" in d.proto.label]


def test_the_local_user_and_the_cli_keep_the_full_reason(crew_world, run, downloads, tmp_path,
                                                         capsys):
    db, _ = crew_world
    at = run("data_sources", db)  # no sign-in, loopback, not public: the local single user
    said = text_of(at)
    assert "key (booking_id, person_id, role) = ('X1', 'jane.doe@example.com', 'stylist') " \
           "appears 2 times" in said
    assert [d.proto.label for d in at.get("download_button")
            if "quarantined rows" in d.proto.label] == [
        "Download quarantined rows with their values as CSV (3 rows)"]
    out = tmp_path / "q.csv"
    assert cli.main(["quarantine", "--out", str(out), "--db", str(db)]) == 0
    capsys.readouterr()
    rows = pd.read_csv(out)
    assert "day_rate: must be ≥ 0, got '-975'" in set(rows["reason"])


def test_quarantine_rule_marked_not_free():
    assert not disclosure.RULES["quarantine_summary"].free


# ---- 2. no sign-in: public mode on anything but loopback, unless --private ----------------

@pytest.fixture
def served(monkeypatch, tmp_path, capsys):
    """`twinimpact dashboard ARGS` without starting Streamlit: (first line, env, command)."""
    from dashboard import serve

    db = tmp_path / "w.duckdb"
    db.write_bytes(b"")
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here…
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # …nor in the home folder
    monkeypatch.delenv("TWINIMPACT_PUBLIC", raising=False)
    monkeypatch.delenv("TWINIMPACT_K", raising=False)
    seen = {}

    def call(cmd, env):
        seen.update(cmd=cmd, env=env)
        return 0

    monkeypatch.setattr(serve.subprocess, "call", call)

    def _serve(*args: str):
        assert cli.main(["dashboard", "--db", str(db), "--port", "8765", *args]) == 0
        line = capsys.readouterr().out.splitlines()[0]
        return line, seen["env"], seen["cmd"]
    return _serve


def test_a_non_loopback_address_without_sign_in_serves_public_mode(served):
    line, env, cmd = served("--address", "0.0.0.0")
    assert env["TWINIMPACT_PUBLIC"] == "1" and env["TWINIMPACT_PRIVATE"] == "0"
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    assert line.startswith("Twin Impact dashboard on http://0.0.0.0:8765, public mode (k=5): "
                           "0.0.0.0 is not a loopback address and no sign-in is configured")
    assert "pass --private" in line


def test_private_restores_the_local_mode_on_purpose(served):
    line, env, _ = served("--address", "0.0.0.0", "--private")
    assert (env["TWINIMPACT_PUBLIC"], env["TWINIMPACT_PRIVATE"]) == ("0", "1")
    assert line.startswith("Twin Impact dashboard on http://0.0.0.0:8765, private mode: "
                           "--private")
    line, env, _ = served()  # loopback: the single user on this machine
    assert (env["TWINIMPACT_PUBLIC"], env["TWINIMPACT_PRIVATE"]) == ("0", "0")
    assert "private mode: 127.0.0.1 is this machine only" in line


def test_sign_in_configured_decides_on_any_address(served, tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n')
    line, env, _ = served("--address", "0.0.0.0")
    assert env["TWINIMPACT_PUBLIC"] == "0" and "sign-in mode" in line


@pytest.mark.parametrize("headers, why", [
    ({"Host": "impact.union.example", "X-Forwarded-For": "203.0.113.9"}, "through a proxy"),
    ({"Host": "impact.union.example"}, "reached as impact.union.example"),
])
def test_a_visit_from_elsewhere_without_sign_in_gets_public_mode(monkeypatch, headers, why):
    """Behind the README's reverse proxy (the dashboard on 127.0.0.1) with the secrets step
    missed: the request says it came from elsewhere, so the visitor is not the local user."""
    monkeypatch.setattr(signin, "configured", lambda: False)
    monkeypatch.delenv("TWINIMPACT_PUBLIC", raising=False)
    monkeypatch.delenv("TWINIMPACT_PRIVATE", raising=False)
    monkeypatch.setattr(signin.st, "context", SimpleNamespace(headers=headers))
    aud = signin.audience()
    assert (aud.role, aud.k, aud.person_rows) == ("public", 5, False)
    assert why in aud.why and "--private" in aud.why
    monkeypatch.setenv("TWINIMPACT_PRIVATE", "1")  # the operator's explicit choice
    assert signin.audience().role == "local"
    monkeypatch.delenv("TWINIMPACT_PRIVATE")
    monkeypatch.setattr(signin.st, "context", SimpleNamespace(headers={"Host": "127.0.0.1:8501"}))
    assert signin.audience().role == "local"


# ---- 3. an unverified e-mail gets no role; [subjects] by sub ------------------------------

ACCESS = """
[users]
"data@union.example" = "admin"
[domains]
"union.example" = "union"
[subjects]
"248289761001" = "brand:BR01"
"""


def test_an_unverified_email_gets_no_role():
    acc = auth.parse_access(ACCESS)
    impostor = {"sub": "x1", "email": "data@union.example", "email_verified": False}
    assert auth.role_for(impostor, acc) is None
    assert auth.role_for({"sub": "x2", "email": "data@union.example"}, acc) is None
    aud = auth.audience_for(impostor, acc, k=5)
    assert (aud.role, aud.can_upload, aud.sees_audit) == ("public", False, False)
    assert "did not mark this e-mail as verified" in aud.why
    assert auth.role_for({"email": "data@union.example", "email_verified": True}, acc) == "admin"
    assert auth.role_for({"email": "who@union.example", "email_verified": "true"}, acc) == "union"


def test_subjects_map_the_providers_sub():
    acc = auth.parse_access(ACCESS)
    assert acc.subjects == {"248289761001": "brand:BR01"} and acc.problems == ()
    aud = auth.audience_for({"sub": "248289761001"}, acc, k=5)
    assert (aud.role, aud.brand, aud.user) == ("brand", "BR01", "248289761001")
    assert auth.role_for({"sub": "248289761002"}, acc) is None


# ---- 4. no Markdown from a URL, a file or the warehouse ------------------------------------

@pytest.fixture(scope="module")
def survey_world(tmp_path_factory) -> Path:
    """One booking and twin use, and a survey whose source is a Markdown link."""
    folder = tmp_path_factory.mktemp("md")
    db = folder / "w.duckdb"
    load(db, folder, "bookings", "b.csv",
         "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n"
         "B1,BR01,2025-01-05,ecommerce,GB,1,10,completed\n"
         "B2,BR01,2025-02-05,ecommerce,GB,1,10,completed\n")
    load(db, folder, "crew-employment", "survey.csv",
         "period,area,role,employed,source\n"
         "2024,GB,photographer,120,[Union](https://evil.example/u)\n"
         "2025,GB,photographer,110,[Union](https://evil.example/u)\n")
    return db


EVIL = "[Click here](https://evil.example/login)"


def _no_markdown_link(at: AppTest) -> None:
    for kind in ("markdown", "caption", "info", "warning", "error"):
        for e in at.get(kind):
            assert "](https://evil" not in e.value, (kind, e.value)
            assert "](https\\" not in e.value.replace("\\]\\(", ""), (kind, e.value)


def test_embed_and_employment_quote_url_values_as_text(survey_world, run):
    at = run("embed", survey_world, chart="displacement-shoot-days", brand=EVIL)
    assert any("\\[Click here\\]\\(https\\:\u2060\\/\\/evil\\.example\\/login\\)" in w.value
               for w in at.warning)
    _no_markdown_link(at)
    at = run("employment", survey_world, source=EVIL, every="![x](https://evil.example/i.png)")
    _no_markdown_link(at)
    assert sum(r"\[Click here\]" in w.value for w in at.warning) == 1
    assert not any("![x](" in w.value for w in at.warning)
    # the survey's source name (from the file) in the caption, as text
    assert any("\\[Union\\]\\(https\\:\u2060\\/\\/evil\\.example\\/u\\)" in c.value
               for c in at.caption)


def test_one_escaping_function():
    from dashboard import ui

    assert not hasattr(signin, "_plain")
    assert ui.plain("[a](http://x) *b* <i>") == "\\[a\\]\\(http\\:\u2060\\/\\/x\\) \\*b\\* \\<i\\>"
    # bare addresses: Streamlit links them after parsing, so a word joiner breaks them
    assert ui.plain("www.evil.example") == "www\u2060\\.evil\\.example"
    # an e-mail address (a contact in the data): shown, never a mailto: link
    assert ui.plain("jane.doe@example.com") == "jane\\.doe\\@\u2060example\\.com"


# ---- 5. a brand user never sees another brand's id, file or row count ----------------------

@pytest.fixture(scope="module")
def two_brands(tmp_path_factory) -> Path:
    """Each brand's bookings in its own file, named after it: BR01 (3 rows), BR02 (7 rows)."""
    folder = tmp_path_factory.mktemp("brands")
    db = folder / "w.duckdb"
    for brand, n in (("BR01", 3), ("BR02", 7)):
        load(db, folder, "bookings", f"bookings-{brand}.csv",
             "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n" + "".join(
                 f"{brand}-{m},{brand},2025-0{m}-05,ecommerce,GB,1,10,completed\n"
                 for m in range(1, n + 1)))
    load(db, folder, "twin-usage", "usage.csv",
         "usage_id,used_on,twin_id,brand_id,channel,region,assets,fee_paid,currency,"
         "watermarked,disclosed\n"
         "U1,2025-04-10,T1,BR01,ecommerce,GB,5,50,EUR,true,true\n"
         "U2,2025-04-10,T2,BR02,ecommerce,GB,5,50,EUR,true,true\n")
    return db


def test_a_brand_user_sees_no_other_brand_on_any_page_download_or_report(two_brands, run,
                                                                         downloads):
    aud = Audience(role="brand", k=None, brand="BR01", user="esg@brand-one.example")
    for page in PAGES:
        at = run(page, two_brands, aud=aud)
        said = text_of(at) + "".join(b.decode("utf-8", "replace") for b in downloads.values())
        assert "BR02" not in said, page
        assert "bookings-BR02.csv" not in said, page
    data_page = run("data_sources", two_brands, aud=aud)
    assert "union and admin users only" in text_of(data_page)
    html = report.build_html(two_brands, Filters(from_month="2025-01", to_month="2025-07",
                                                 brand=("BR01",)), aud)
    assert "BR01" in html and "BR02" not in html and "bookings-BR02" not in html
    # union users still see every file
    union = run("data_sources", two_brands, aud=UNION)
    assert "bookings-BR02.csv" in text_of(union)


# ---- 6. industry figures: contributors per figure, not brands in the warehouse -------------

def _income_world(folder: Path, fees: dict[str, int]) -> Path:
    """Six brands book shoots 2025-01..06; five models' twins (T1..T5) are used in 2025-04
    by the brands in `fees`, each paying its fee spread evenly over the five twins."""
    db = folder / "w.duckdb"
    brands = ("BR01", "BR02", "BR03", "BR04", "BR05", "BR06")
    load(db, folder, "bookings", "b.csv",
         "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n" + "".join(
             f"{b}-{m},{b},2025-0{m}-05,ecommerce,GB,1,10,completed\n"
             for b in brands for m in range(1, 7)))
    load(db, folder, "twins", "t.csv", "twin_id,model_id,created_on\n" + "".join(
        f"T{i},M{i},2025-01-01\n" for i in range(1, 6)))
    load(db, folder, "twin-usage", "u.csv",
         "usage_id,used_on,twin_id,brand_id,channel,region,assets,fee_paid,currency,"
         "watermarked,disclosed\n" + "".join(
             f"{b}-{i},2025-04-10,T{i},{b},ecommerce,GB,2,{fee / 5:.2f},EUR,true,true\n"
             for b, fee in fees.items() for i in range(1, 6)))
    return db


BR01 = Audience(role="brand", k=None, brand="BR01", user="esg@brand-one.example")
PERIOD = Filters(from_month="2025-01", to_month="2025-06")


def test_an_industry_figure_less_my_part_is_never_one_other_brand(tmp_path, run, downloads):
    """Models' twin income 6,300 = BR01's 1,800 + BR02's 4,500: six brands in the warehouse,
    five models behind it, but one other paying brand: BR01 would read BR02's 4,500."""
    db = _income_world(tmp_path, {"BR01": 1800, "BR02": 4500})
    totals = disclosure.governed(db, "model_income_totals", PERIOD, aud=BR01)
    assert pd.isna(totals["twin_income"].iloc[0])
    assert totals["suppressed"].iloc[0] == "withheld: fewer than 2 other brands contribute"
    assert totals.columns.tolist()[:3] == ["period", "shoot_income", "twin_income"]
    at = run("income", db, aud=BR01)
    said = text_of(at) + "".join(b.decode() for b in downloads.values())
    assert "6,300" not in said and "6300" not in said
    union = disclosure.governed(db, "model_income_totals", PERIOD, aud=UNION)
    assert union["twin_income"].iloc[0] == 6300


def test_an_industry_figure_dominated_by_one_other_brand_is_withheld(tmp_path):
    """BR02 4,500 and BR03 100 are two others, but BR02 is 97.8% of them (> 85%)."""
    db = _income_world(tmp_path, {"BR01": 1800, "BR02": 4500, "BR03": 100})
    totals = disclosure.governed(db, "model_income_totals", PERIOD, aud=BR01)
    assert pd.isna(totals["twin_income"].iloc[0])
    # (no brand paid models for shoots here: that figure has no other contributor at all)
    assert "withheld: one other brand makes up over 85% of it" in totals["suppressed"].iloc[0]
    monthly = disclosure.governed(db, "model_income_over_time", PERIOD, aud=BR01)
    assert monthly["twin_income"].isna().all()


def test_an_industry_figure_of_enough_balanced_others_is_shown(tmp_path):
    """BR02, BR03 and BR04 pay 1,500 each (none above 85% of 4,500): 6,300 shown to BR01."""
    db = _income_world(tmp_path, {"BR01": 1800, "BR02": 1500, "BR03": 1500, "BR04": 1500})
    totals = disclosure.governed(db, "model_income_totals", PERIOD, aud=BR01)
    assert totals["twin_income"].iloc[0] == 6300
    monthly = disclosure.governed(db, "model_income_over_time", PERIOD, aud=BR01)
    april = monthly[pd.to_datetime(monthly["month"]) == "2025-04-01"]
    assert april["twin_income"].tolist() == [6300]


# ---- 7. one renderer: a concurrency cap, a per-session throttle, a busy message ------------

def test_the_renderer_caps_drawings_and_throttles_each_session():
    r = export.Renderer(slots=1, per_minute=2, wait=0.2)
    started, release = threading.Event(), threading.Event()

    def slow() -> bytes:
        started.set()
        release.wait(5)
        return b"png"

    t = threading.Thread(target=lambda: r.run("a", slow))
    t.start()
    started.wait(5)
    with pytest.raises(export.Busy, match=r"^Busy \(429 Too Many Requests\): .*Try again"):
        r.run("b", lambda: b"x")  # the one slot is taken
    with pytest.raises(export.Busy, match="still drawing"):
        r.run("a", lambda: b"x")  # one at a time per session
    release.set()
    t.join(5)
    assert r.run("b", lambda: b"ok") == b"ok"
    assert r.run("b", lambda: b"ok") == b"ok"
    with pytest.raises(export.Busy, match="at most 2 images or PDFs a minute"):
        r.run("b", lambda: b"x")
    assert "Busy" in r.notice("b") and r.notice("b") is None  # said once, on the next run


def test_chart_images_and_pdfs_go_through_the_one_renderer(monkeypatch):
    from dashboard import figures, pdf, ui

    drawn = []
    monkeypatch.setattr(figures, "image", lambda fig, fmt: drawn.append(fmt) or b"img")
    monkeypatch.setattr(figures, "render", lambda *a: None)
    monkeypatch.setattr(figures, "stamped", lambda r: None)
    monkeypatch.setattr(export, "RENDERER", export.Renderer(slots=1, per_minute=1, wait=0.1))
    assert ui._image("displacement-shoot-days", Filters(), "png", "s1") == b"img"
    with pytest.raises(export.Busy):
        ui._image("displacement-shoot-days", Filters(), "svg", "s1")
    assert drawn == ["png"]
    source = (VIEWS / "brand_report.py").read_text()
    assert "export.RENDERER.run(_session, lambda: pdf.html_to_pdf(text))" in source
    assert pdf.html_to_pdf  # the one printer the renderer gates


# ---- 8. upload names, the upload's audit row, the command block ----------------------------

@pytest.mark.parametrize("name", [".", "..", "../..", "  "])
def test_an_upload_named_dot_or_dotdot_is_refused_clearly(tmp_path, name):
    db = tmp_path / "w.duckdb"
    with pytest.raises(UserError, match="is not a file name; rename the file"):
        upload_flow.load_uploads(db, "twins", [(name, b"twin_id,model_id,created_on\n")],
                                 upload_flow.Options(), user="a@x.example", role="admin")
    assert not db.exists()  # nothing written
    assert audit.read(db)["result"].str.startswith("rejected").all()


def test_an_uploads_audit_row_is_in_the_publish_it_makes(tmp_path):
    db = tmp_path / "w.duckdb"
    results = upload_flow.load_uploads(
        db, "twins", [("new-twins.csv", b"twin_id,model_id,created_on\n"
                                        b"T1,M1,2025-02-01\nT2,M2,not-a-date\n")],
        upload_flow.Options(), user="data@union.example", role="admin")
    quarantined = queries.quarantine_of(db, ("new-twins.csv",))
    assert [(r["file"], r["status"], r["inserted"], r["quarantined"]) for r in results] == [
        ("new-twins.csv", "loaded", 1, 1)]
    assert quarantined["file"].tolist() == ["new-twins.csv"]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute('select "user", role, action, object, result from meta.audit'
                           ).fetchall()
    assert rows == [("data@union.example", "admin", "upload", "twins: new-twins.csv", "ok")]


def test_the_brand_report_command_is_plain_text_not_a_highlighted_code_block(two_brands, run):
    at = run("brand_report", two_brands, brand="BR01")
    assert [c.language for c in at.get("code")] == ["html", "html"]  # only the embed snippets
    assert [t.value for t in at.get("text")] == [
        "twinimpact report --brand BR01 --from 2025-01 --to 2025-07 --out report.html  "
        "# or report.pdf"]


def test_config_private_mode_reads_the_flag(monkeypatch):
    monkeypatch.setenv("TWINIMPACT_PRIVATE", "1")
    assert config.private_mode()
    monkeypatch.setenv("TWINIMPACT_PRIVATE", "0")
    assert not config.private_mode()
