"""`twinimpact chart` and the chart registry: keys, public figures, summaries, PNG and SVG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dashboard_fixture import build

from dashboard import export, figures, labels, public
from dashboard.audience import Audience
from dashboard.filters import Filters
from etl import cli
from etl.contracts import CHANNELS, ROLES

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("tiny-charts"))


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


PUBLIC7 = Audience(role="public", k=7)
LOCAL = Audience(role="local", k=None)
A_Q2 = Filters(from_month="2025-04", to_month="2025-06", brand=("A",))


def test_list_prints_every_key_with_its_title(capsys):
    code, out, _ = run(capsys, "chart", "--list")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(figures.REGISTRY)
    assert "displacement-shoot-days" in figures.REGISTRY
    assert lines[0].split(None, 1)[1] == "Share of all fashion images made with digital twins"


@pytest.mark.parametrize("args, code, needle", [
    (["nope", "--out", "x.png"], 2, "unknown chart 'nope'; `twinimpact chart --list`"),
    (["displacement-shoot-days", "--out", "x.gif"], 2, "must end in .png or .svg"),
    (["displacement-shoot-days", "--out", "x.png", "--from", "2025-13"], 2,
     "--from '2025-13' is not a month"),
    (["displacement-shoot-days", "--out", "x.png", "--role", "pilot"], 2,
     "--role 'pilot' is not one of"),
    (["brand-crew", "--out", "x.png"], 2, "give --brand"),
    (["displacement-shoot-days", "--out", "x.png", "--brand", "ZZ"], 1, "unknown brand 'ZZ'"),
])
def test_bad_chart_arguments_are_one_error_line(tiny_db, tmp_path, capsys, args, code, needle):
    args = [a if a != "x.png" and a != "x.gif" else str(tmp_path / a) for a in args]
    got, _, err = run(capsys, "chart", *args, "--db", tiny_db)
    assert got == code
    assert err.startswith("error: ") and needle in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_summaries_are_worked_out_from_the_rows_shown(tiny_db):
    # brand A, April–June: 20 twin images beside 40 shoot images every month
    r = figures.render(tiny_db, "overview-twin-share", A_Q2, LOCAL)
    assert r.built.summary == ("The share of all fashion images made with digital twins went "
                               "from 33.3% in 2025-04 to 33.3% in 2025-06.")
    # June's 20 images fell after the licence's end
    r = figures.render(tiny_db, "consent-reasons", A_Q2, LOCAL)
    assert r.built.shown.to_dict("records") == [{"reason": "expired", "assets": 20, "people": 1}]
    assert r.built.summary == ("20 twin images had no valid licence; the commonest reason: "
                               "after the licence expired (20).")
    assert list(r.built.fig.data[0].y) == ["after the licence expired"]


def test_images_and_embeds_are_always_public(tiny_db):
    # six photographers and three stylists: with k = 7 every crew cell is hidden
    r = figures.render(tiny_db, "displacement-crew-by-role",
                       Filters(from_month="2025-01", to_month="2025-06"), PUBLIC7)
    assert r.built.shown["displaced_crew_days"].isna().all()
    assert set(r.built.shown["suppressed"]) == {"suppressed: fewer than 7 people"}
    assert "cells of fewer than 7 people suppressed" in r.source_line()
    # k = 7 is stricter than the release's 5: the per-query layer served it, not the release
    assert public.RELEASE_SOURCE not in r.source_line()
    assert public.RELEASE_SOURCE in figures.render(
        tiny_db, "displacement-crew-by-role", Filters(from_month="2025-01", to_month="2025-06"),
        Audience(role="public", k=5)).source_line()
    # the survey's three stylists are hidden, the 120 photographers shown
    r = figures.render(tiny_db, "employment-survey", Filters(), Audience(role="public", k=5))
    got = r.built.shown.set_index("role")["employed"].to_dict()
    assert got["photographer"] == 120 and got["stylist"] != got["stylist"]  # NaN
    assert r.built.summary == "Photographer has the most people working in 2024 (120) of the 1 shown."


def test_codes_are_words_on_screen_and_codes_in_csv(tiny_db):
    assert {c: labels.role(c) for c in ("photo_assistant", "hair_makeup")} == {
        "photo_assistant": "Photo assistant", "hair_makeup": "Hair and make-up"}
    assert labels.reason("out_of_region") == "outside the licence's regions"
    # a quarantine reason is a sentence naming columns: shown as it is
    assert labels.reason("days must be > 0 (booking_id B1)") == "days must be > 0 (booking_id B1)"
    assert all(labels.role(r) != r and "_" not in labels.role(r) for r in ROLES)
    assert all("_" not in labels.channel(c) for c in CHANNELS)
    r = figures.render(tiny_db, "income-crew-by-role",
                       Filters(from_month="2025-01", to_month="2025-06"), LOCAL)
    assert [t.name for t in r.built.fig.data] == ["Photographer", "Stylist"]
    assert "photographer" in export.to_csv(r.built.shown).decode()
    assert set(labels.readable(r.built.shown)["role"]) == {"Photographer", "Stylist"}


# the demo's survey publishes no employees and self-employed apart: tests/test_employment.py
# draws that chart's image on a warehouse that does
NOT_IN_DEMO = {"employment-types"}


def test_every_listed_chart_exports_png_and_svg_on_the_demo(demo_db, tmp_path, capsys):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    # the command itself, once
    code, out, err = run(capsys, "chart", "displacement-shoot-days", "--db", demo_db,
                         "--out", tmp_path / "c.svg")
    assert code == 0, err
    svg = (tmp_path / "c.svg").read_text()
    assert "Source: bookings and twin-usage exports" in svg and "Simulated data" in svg
    assert "data as of" in svg and "SIMULATED DATA" in svg
    # every key, in one kaleido session (a browser start per image costs seconds)
    with figures.image_session():
        for key, chart in figures.REGISTRY.items():
            if key in NOT_IN_DEMO:
                continue
            f = Filters(brand=("BR02",)) if chart.brand_required else Filters()
            r = figures.render(demo_db, key, f, Audience(role="public", k=5))
            fig = figures.stamped(r)
            png, svg = figures.image(fig, "png"), figures.image(fig, "svg").decode()
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, key
            assert "Source: " in svg and "data as of" in svg, key
            assert ("Simulated data" in svg) == (not chart.real), key


def test_image_retries_only_kaleidos_page_not_ready(monkeypatch):
    """chromium may run kaleido's call before its page's script loaded: tried again (at most
    three times); any other failure is raised at once."""
    import kaleido
    import plotly.graph_objects as go

    from dashboard import figures

    calls = []

    def flaky(fig, opts, kopts):
        calls.append(opts["format"])
        if len(calls) < 3:
            raise RuntimeError("JavascriptError: ReferenceError: kaleido_scopes is not defined")
        return b"PNG"

    monkeypatch.setattr(kaleido, "calc_fig_sync", flaky)
    monkeypatch.setattr(figures.time, "sleep", lambda s: None)
    monkeypatch.setenv("BROWSER_PATH", "/usr/bin/chromium")
    assert figures.image(go.Figure(), "png") == b"PNG" and calls == ["png"] * 3

    calls.clear()
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda fig, opts, kopts: (_ for _ in ()).throw(
        RuntimeError("kaleido_scopes is not defined")))
    with pytest.raises(RuntimeError, match="kaleido_scopes"):
        figures.image(go.Figure(), "png")  # the third failure is raised

    def other(fig, opts, kopts):
        calls.append(1)
        raise ValueError("bad figure")

    monkeypatch.setattr(kaleido, "calc_fig_sync", other)
    with pytest.raises(ValueError, match="bad figure"):
        figures.image(go.Figure(), "png")
    assert calls == [1]  # not retried
