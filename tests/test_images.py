"""Images as evidence: `scan-images` on images signed at test time with throwaway chains.

The images (made once per module, fresh keys every run):
- a.jpg        signed by chain A; trainedAlgorithmicMedia; training notAllowed
- b.png        signed by chain B (never an anchor); compositeWithTrainedAlgorithmicMedia;
               training allowed
- tampered.jpg signed by A (trainedAlgorithmicMedia, no training assertion), then one pixel
               byte changed
- capture.webp signed by A; digitalCapture (a camera photo); training constrained
- iptc.png     no manifest; XMP Iptc4xmpExt:DigitalSourceType trainedAlgorithmicMedia
- plain.jpg    no manifest, no XMP
- text.jpg     a text file named .jpg → quarantined
- notes.txt    not an image extension: a folder scan leaves it out
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from marts_fixture import rows, write_csv

from etl import cli, images
from etl.load import load_paths
from etl.sim import signing

AI = "trainedAlgorithmicMedia"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """The images folder, the two chains' anchor files and each image's bytes."""
    root = tmp_path_factory.mktemp("images")
    folder = root / "published"
    (folder / "sub").mkdir(parents=True)
    a, b = signing.make_chain("Maison A", "A signer"), signing.make_chain("Intruder B", "B")
    made = {
        "a.jpg": signing.sign(signing.picture("jpeg"), "jpeg", a,
                              signing.manifest(generator="TwinGen")),
        "sub/b.png": signing.sign(signing.picture("png"), "png", b, signing.manifest(
            source_type="compositeWithTrainedAlgorithmicMedia", training="allowed",
            generator="OtherGen")),
        "tampered.jpg": signing.tamper(signing.sign(
            signing.picture("jpeg", colour=(10, 120, 200)), "jpeg", a,
            signing.manifest(training=None, generator="TwinGen")), "jpeg"),
        "capture.webp": signing.sign(signing.picture("webp"), "webp", a, signing.manifest(
            source_type="digitalCapture", training="constrained", generator="CameraApp")),
        "iptc.png": signing.picture("png", colour=(90, 200, 90), source_type=AI),
        "plain.jpg": signing.picture("jpeg", colour=(250, 250, 10)),
        "text.jpg": b"this is a text file, not a JPEG\n",
        "notes.txt": b"not scanned\n",
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    (root / "a.pem").write_bytes(a.ca_pem)
    (root / "b.pem").write_bytes(b.ca_pem)
    return {"root": root, "folder": folder, "bytes": made}


def _sha(shots, name: str) -> str:
    return hashlib.sha256(shots["bytes"][name]).hexdigest()


def _scan(capsys, *args) -> tuple[int, list[dict], str]:
    code = cli.main(["scan-images", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err


def _expected(shots, trusted_a: bool | None) -> dict[str, dict]:
    """Every image's JSON row; trusted_a: chain A's signer trusted (None: no --trust)."""
    untrusted = ["signingCredential.untrusted"]
    a_codes = [] if trusted_a else untrusted

    def signed(name, fmt, org, cn, gen, source, training, validation="valid", codes=None,
               trusted=bool(trusted_a)):
        return {"format": fmt, "manifest": True, "validation": validation,
                "validation_codes": a_codes if codes is None else codes, "trusted": trusted,
                "signer_org": org, "signer_cn": cn, "claim_generator": f"{gen} 1.0",
                "signed_at": None, "source_type": source, "training": training,
                "xmp_source_type": None,
                "ai_declared": source in images.AI_SOURCE_TYPES}

    def bare(fmt, xmp_type):
        return {"format": fmt, "manifest": False, "validation": None, "validation_codes": [],
                "trusted": None, "signer_org": None, "signer_cn": None,
                "claim_generator": None, "signed_at": None, "source_type": None,
                "training": None, "xmp_source_type": xmp_type,
                "ai_declared": xmp_type == AI}

    rows = {
        "a.jpg": signed("a.jpg", "jpeg", "Maison A", "A signer", "TwinGen", AI, "not_allowed"),
        "sub/b.png": signed("b.png", "png", "Intruder B", "B", "OtherGen",
                            "compositeWithTrainedAlgorithmicMedia", "allowed",
                            codes=untrusted, trusted=False),
        # the signature's hash of the pixels no longer matches: never valid
        "tampered.jpg": signed("tampered.jpg", "jpeg", "Maison A", "A signer", "TwinGen", AI,
                               "absent", validation="invalid",
                               codes=[*a_codes, "assertion.dataHash.mismatch"]),
        "capture.webp": signed("capture.webp", "webp", "Maison A", "A signer", "CameraApp",
                               "digitalCapture", "constrained"),
        "iptc.png": bare("png", AI),
        "plain.jpg": bare("jpeg", None),
    }
    return {name: {"file": str(shots["folder"] / name), "sha256": _sha(shots, name),
                   "bytes": len(shots["bytes"][name]), "error": None, **row}
            for name, row in rows.items()}


def _strip(row: dict, *drop: str) -> dict:
    return {k: v for k, v in row.items() if k not in ("status", "usage_id", "twin_id",
                                                      "brand_id", *drop)}


def test_scan_reports_presence_validity_trust_source_and_training(shots, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    code, got, err = _scan(capsys, shots["folder"], "--db", db, "--json")
    assert code == 0
    by_name = {os.path.relpath(r["file"], shots["folder"]): r for r in got}
    assert sorted(by_name) == ["a.jpg", "capture.webp", "iptc.png", "plain.jpg", "sub/b.png",
                               "tampered.jpg", "text.jpg"]  # notes.txt is not an image
    quarantined = by_name.pop("text.jpg")
    assert quarantined["status"] == "quarantined" and quarantined["manifest"] is None
    assert quarantined["error"] == ("not a JPEG, PNG, WebP, AVIF or HEIC image (its first "
                                    "bytes say otherwise, whatever its name)")
    expected = _expected(shots, trusted_a=None)
    assert {n: _strip(r) for n, r in by_name.items()} == expected
    assert {r["status"] for r in by_name.values()} == {"inserted"}
    assert all(r["trusted"] in (False, None) for r in got)  # no anchors: nobody trusted


def test_only_a_signer_chaining_to_a_given_anchor_is_trusted(shots, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    code, got, _ = _scan(capsys, shots["folder"], "--db", db, "--json",
                         "--trust", shots["root"] / "a.pem")
    by_name = {os.path.relpath(r["file"], shots["folder"]): _strip(r) for r in got}
    by_name.pop("text.jpg")
    assert code == 0 and by_name == _expected(shots, trusted_a=True)
    # with B as the anchor, A's images are not trusted and B's is
    code, got, _ = _scan(capsys, shots["folder"], "--db", db, "--json",
                         "--trust", shots["root"] / "b.pem")
    trusted = {os.path.relpath(r["file"], shots["folder"]): r["trusted"] for r in got}
    assert trusted == {"a.jpg": False, "sub/b.png": True, "tampered.jpg": False,
                       "capture.webp": False, "iptc.png": None, "plain.jpg": None,
                       "text.jpg": None}
    # only the signed images changed: their trust was judged against other anchors
    status = {os.path.relpath(r["file"], shots["folder"]): r["status"] for r in got}
    assert status == {"a.jpg": "updated", "sub/b.png": "updated", "tampered.jpg": "updated",
                      "capture.webp": "updated", "iptc.png": "unchanged",
                      "plain.jpg": "unchanged", "text.jpg": "quarantined"}


def test_rescan_is_skipped_and_changes_nothing(shots, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    _scan(capsys, shots["folder"], "--db", db)
    before = db.read_bytes()
    code, got, _ = _scan(capsys, shots["folder"], "--db", db, "--json")
    assert code == 0 and {r["status"] for r in got} == {"skipped"}
    # a skipped scan still reports each image as stored
    a = next(r for r in got if r["file"].endswith("a.jpg"))
    assert a["validation"] == "valid" and a["source_type"] == AI
    assert db.read_bytes() == before  # decided read-only: the warehouse is not rewritten
    code = cli.main(["scan-images", str(shots["folder"]), "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("skipped: these 7 images were scanned before")
    loads = rows(db, "select kind, status, rows_in, inserted, updated, unchanged, quarantined "
                     "from meta.loads order by load_id")
    assert loads == [("image-checks", "loaded", 7, 6, 0, 0, 1)]
    assert rows(db, "select count(*), count(distinct sha256) from raw.image_checks") == [(6, 6)]
    assert rows(db, "select kind, line, reason from meta.quarantine") == [
        ("image-checks", 7, "not a JPEG, PNG, WebP, AVIF or HEIC image (its first bytes say "
                            "otherwise, whatever its name)")]
    # the same bytes under another name are the same image: unchanged, never a second row
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "again.jpg").write_bytes(shots["bytes"]["a.jpg"])
    code, got, _ = _scan(capsys, copy, "--db", db, "--json")
    assert [r["status"] for r in got] == ["unchanged"]
    assert rows(db, "select count(*) from raw.image_checks") == [(6,)]
    assert rows(db, "select status, rows_in, unchanged from meta.loads where load_id = "
                    "(select max(load_id) from meta.loads)") == [("loaded", 1, 1)]


def test_a_scan_killed_before_publishing_changes_nothing(shots, tmp_path, capsys,
                                                         monkeypatch):
    db = tmp_path / "w.duckdb"
    (folder := tmp_path / "one").mkdir()
    (folder / "plain.jpg").write_bytes(shots["bytes"]["plain.jpg"])
    _scan(capsys, folder, "--db", db)
    before = db.read_bytes()
    from etl import marts

    def killed(_con, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(marts, "rebuild", killed)
    assert cli.main(["scan-images", str(shots["folder"]), "--db", str(db)]) == 130
    assert "the warehouse is unchanged" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".w.duckdb.tmp")] == []
    monkeypatch.undo()
    code, got, _ = _scan(capsys, shots["folder"], "--db", db, "--json")
    assert code == 0 and len(got) == 7  # the next run succeeds


@pytest.mark.parametrize(("args", "message"), [
    (["nowhere"], "error: nowhere: no such file or folder; give image files or folders "
                  "holding them"),
    (["{folder}", "--trust", "{folder}/plain.jpg"],
     "error: --trust {folder}/plain.jpg: no PEM certificate in it"),
    (["{folder}", "--map", "{root}/bad-map.csv"],
     "error: --map {root}/bad-map.csv: the header needs a `file` or `sha256` column"),
])
def test_bad_arguments_are_one_error_line_and_change_nothing(shots, tmp_path, capsys, args,
                                                             message):
    (shots["root"] / "bad-map.csv").write_text("image,usage\nx.jpg,U1\n")
    fill = {"folder": shots["folder"], "root": shots["root"]}
    db = tmp_path / "w.duckdb"
    code = cli.main(["scan-images", *(a.format(**fill) for a in args), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(message.format(**fill)) and err.count("\n") == 1
    assert not db.exists()


@pytest.mark.parametrize(("packet", "expected"), [
    (signing.xmp(AI), AI),
    (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
     b'22-rdf-syntax-ns#"><rdf:Description xmlns:I="http://iptc.org/std/Iptc4xmpExt/2008-02'
     b'-29/"><I:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/'
     b'digitalsourcetype/digitalCapture"/></rdf:Description></rdf:RDF></x:xmpmeta>',
     "digitalCapture"),
    (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><Iptc4xmpExt:DigitalSourceType xmlns:Iptc4xmpExt='
     b'"http://iptc.org/std/Iptc4xmpExt/2008-02-29/">http://cv.iptc.org/newscodes/'
     b'digitalsourcetype/compositeWithTrainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>'
     b'</x:xmpmeta>', "compositeWithTrainedAlgorithmicMedia"),
    (b'<!DOCTYPE x [<!ENTITY a "trainedAlgorithmicMedia">]><x/>', None),  # never expanded
    (b"<not xml", None),
    (None, None),
])
def test_xmp_digital_source_type(packet, expected):
    assert images.xmp_source_type(packet) == expected


# ---- the marts and the rights scorecard on a tiny world ---------------------------------

USAGE_HEADER = ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
                "currency,watermarked,disclosed")
USAGE = [
    ("U1", "2024-03-05", "T1", "A", "", "ecommerce", "GB", "3", "30", "EUR", "true", "true"),
    ("U2", "2024-03-20", "T1", "A", "", "ecommerce", "GB", "2", "20", "EUR", "true", "false"),
    ("U3", "2024-04-02", "T2", "B", "", "social", "SE", "1", "10", "EUR", "false", "true"),
    ("U4", "2024-04-09", "T2", "B", "", "social", "SE", "4", "10", "EUR", "false", "true"),
]
MAP = [  # file, usage_id, brand_id
    ("a.jpg", "U1", ""), ("iptc.png", "U1", ""),     # U1: 2 of 3 assets checked, both AI
    ("b.png", "U2", ""),                             # U2: 1 of 2 checked, AI, not claimed
    ("plain.jpg", "U3", ""), ("capture.webp", "U3", ""),  # U3: 1 asset, 2 images, no AI
    ("tampered.jpg", "", "A"),                       # no use: brand A, month of the check
]


@pytest.fixture(scope="module")
def world(shots, tmp_path_factory):
    folder = tmp_path_factory.mktemp("image-world")
    db = folder / "w.duckdb"
    for kind, header, data in (("twins", "twin_id,model_id,created_on",
                                [("T1", "M1", "2024-01-01"), ("T2", "M2", "2024-01-01")]),
                               ("twin-usage", USAGE_HEADER, USAGE)):
        (r,) = load_paths(db, kind, [write_csv(folder / f"{kind}.csv", header, data)])
        assert r["status"] == "loaded" and r["quarantined"] == 0
    mapping = write_csv(folder / "map.csv", "file,usage_id,brand_id", MAP)
    assert cli.main(["scan-images", str(shots["folder"]), "--db", str(db), "--map",
                     str(mapping)]) == 0
    return db


def test_image_checks_mart_per_brand_and_month(world):
    [(checked_month,)] = rows(world, "select date_trunc('month', checked_at at time zone "
                                     "'UTC')::date from raw.image_checks limit 1")
    got = rows(world, """
        select month, brand_id, images_checked, images_with_manifest, images_valid,
               images_invalid, images_trusted, images_ai_declared, images_no_training,
               valid_share, ai_declared_share, no_training_share, images_linked_to_use,
               claimed_not_found, found_not_claimed, models
        from marts.image_checks_monthly order by month, brand_id""")
    import datetime as dt
    assert got == [
        # a.jpg, iptc.png (U1), b.png (U2): 2 manifests, both valid; all three declare AI;
        # a.jpg says no training; b.png's use says "not disclosed" though the image says AI
        (dt.date(2024, 3, 1), "A", 3, 2, 2, 0, 0, 3, 1, 0.666667, 1.0, 0.333333, 3, 0, 1, 1),
        # plain.jpg, capture.webp (U3, "disclosed"): neither declares AI
        (dt.date(2024, 4, 1), "B", 2, 1, 1, 0, 0, 0, 0, 0.5, 0.0, 0.0, 2, 2, 0, 1),
        # tampered.jpg: brand A from the map, no use, no twin: the month it was checked
        (checked_month, "A", 1, 1, 0, 1, 0, 1, 0, 0.0, 1.0, 0.0, 0, 0, 0, 0),
    ]


def test_disclosed_checked_sums_like_every_other_right(world):
    card = {(b, r): (t, m, n, u) for b, r, t, m, n, u in rows(world, """
        select brand_id, "right", twin_assets, assets_met, assets_not_met, assets_unknown
        from marts.rights_scorecard where year = 2024""")}
    # A: U1 3 assets (2 checked AI, 1 not checked), U2 2 assets (1 checked AI, 1 not)
    assert card[("A", "disclosed_checked")] == (5, 3, 0, 2)
    assert card[("A", "disclosed")] == (5, 3, 2, 0)  # the export: U1 yes, U2 no
    # B: U3 1 asset, two images without an AI label: not met (never more than its assets);
    # U4 4 assets, nothing checked: unknown
    assert card[("B", "disclosed_checked")] == (5, 0, 1, 4)
    assert card[("ALL", "disclosed_checked")] == (10, 3, 1, 6)
    assert rows(world, """
        select count(*) from marts.rights_scorecard
        where assets_met + assets_not_met + assets_unknown <> twin_assets""") == [(0,)]
    assert rows(world, """
        select count(distinct twin_assets) from marts.rights_scorecard
        where year = 2024 and brand_id = 'A'""") == [(1,)]


# ---- the Check an image page's words and its admin load ---------------------------------

def test_the_page_says_what_each_image_declares(shots):
    from dashboard import credentials

    anchors = (shots["root"] / "a.pem").read_text()
    said = {}
    for name in ("a.jpg", "tampered.jpg", "capture.webp", "iptc.png", "plain.jpg"):
        row = images.check(shots["bytes"][name], anchors)
        said[name] = credentials.verdict(row)
    assert said == {
        "a.jpg": "This image declares it was made with generative AI, in its content "
                 "credentials, which still match the image.",
        "tampered.jpg": "This image declares it was made with generative AI, in its content "
                        "credentials, which NO LONGER match the image.",
        "capture.webp": "This image carries content credentials, but they do not declare "
                        "generative AI.",
        "iptc.png": "This image declares it was made with generative AI, in its IPTC metadata "
                    "(an unsigned label anyone can add or remove).",
        "plain.jpg": "This image carries no AI label: no content credentials and no IPTC "
                     "digital source type. That proves nothing about how it was made (see "
                     "below).",
    }
    row = images.check(shots["bytes"]["tampered.jpg"], anchors)
    assert credentials.findings(row) == [
        "Content credentials (C2PA): present but INVALID: the image or its manifest changed "
        "after signing (assertion.dataHash.mismatch).",
        "Signer: trusted — its certificate chains to a configured trust anchor.",
        "How it was made (the credentials' actions): made by generative AI (trained "
        "algorithmic media).",
        "AI training: the credentials says nothing about AI training.",
        "Time signed: no trusted timestamp (the signer's own clock is not evidence).",
        "IPTC digital source type (XMP metadata): none.",
    ]
    assert credentials.free_text(row)[:3] == [
        ("Signer organisation", "Maison A"), ("Signer name", "A signer"),
        ("Made with (claim generator)", "TwinGen 1.0")]


def test_an_admin_load_from_the_page_is_a_scan_with_its_links(shots, world, tmp_path):
    import shutil

    from dashboard import credentials

    world = shutil.copyfile(world, tmp_path / "w.duckdb")  # the module's world stays as it is
    result = credentials.load(world, shots["bytes"]["plain.jpg"], ".JPG", brand="B",
                              usage_id="U4")
    # the same bytes were scanned before (linked to U3): the page's links update the row
    assert (result["kind"], result["status"], result["rows_in"], result["updated"]) == (
        "image-checks", "loaded", 1, 1)
    assert rows(world, "select usage_id, brand_id, file like '%checked-image.jpg' "
                       "from raw.image_checks where sha256 = ?",
                [_sha(shots, "plain.jpg")]) == [("U4", "B", True)]  # the later load wins
    card = dict(rows(world, """select brand_id, assets_not_met from marts.rights_scorecard
                               where year = 2024 and "right" = 'disclosed_checked'"""))
    assert card["B"] == 2  # U3 (capture.webp) and U4 (plain.jpg) each have one unlabelled image


def test_avif_is_read_like_the_others(tmp_path):
    """AVIF: the C2PA library signs and reads it; Pillow writes it (HEIC it cannot here)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, "AVIF")
    chain = signing.make_chain("Avif Org", "avif key")
    signed = signing.sign(out.getvalue(), "avif", chain, signing.manifest(training=None))
    row = images.check(signed, chain.ca_pem.decode())
    assert (row["format"], row["manifest"], row["validation"], row["trusted"],
            row["source_type"], row["training"], row["ai_declared"]) == (
        "avif", True, "valid", True, AI, "absent", True)
    bare = images.check(out.getvalue())
    assert (bare["format"], bare["manifest"], bare["ai_declared"]) == ("avif", False, False)


def test_the_demo_images_are_the_same_apart_from_their_signatures(tmp_path):
    """Same seed and uses: the same files, map, kinds and pixels; only signatures differ
    (fresh keys): unsigned and IPTC-only images are byte-identical."""
    from etl.sim import images as sample

    uses = [f"U{i:03d}" for i in range(12)]
    folders = [sample.write(tmp_path / f"run{n}" / "images", uses, seed=3) for n in (1, 2)]
    (one, map1), (two, map2) = folders
    assert map1.read_text() == map2.read_text()
    lines = map1.read_text().splitlines()
    assert lines[0] == "file,usage_id" and [x.split(",")[1] for x in lines[1:]] == uses
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir()) and len(names) == 13  # + anchor
    kinds = {}
    for name in names:
        if name.endswith(".pem"):
            continue
        a, b = (images.check((f / name).read_bytes()) for f in (one, two))
        assert {k: v for k, v in a.items() if k not in ("sha256", "bytes")} == \
            {k: v for k, v in b.items() if k not in ("sha256", "bytes")}
        if not a["manifest"]:
            assert (one / name).read_bytes() == (two / name).read_bytes()
        kinds[name] = (a["manifest"], a["validation"], a["ai_declared"])
    assert len(set(kinds.values())) >= 3  # signed, tampered, unlabelled or IPTC-only


def test_the_consent_page_says_brand_by_brand_whether_checked_and_claimed_agree(
        world, monkeypatch):
    """The image checks' sentence is their declaration's summary (figures._image_checks),
    shown as text above the table: A's b.png declares AI though its use (U2) says "not
    disclosed"; B's two images of U3 ("disclosed") carry no AI label (2024)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.text import plain

    monkeypatch.setenv("TWINIMPACT_DB", str(world))
    monkeypatch.setenv("TWINIMPACT_PUBLIC", "0")
    st.cache_data.clear()
    views = os.path.join(os.path.dirname(__file__), "..", "dashboard", "views")
    at = AppTest.from_file(os.path.join(views, "consent.py"), default_timeout=60)
    at.query_params["from"], at.query_params["to"] = "2024-01", "2024-12"
    at.run()
    assert not at.exception, at.exception[0].message
    assert plain(
        "A: checked and claimed disagree: 1 image(s) labelled AI in the image belong to uses "
        "the export calls not disclosed (of 3 checked images linked to a use). B: checked and "
        "claimed disagree: 2 image(s) of uses the export calls disclosed carry no AI label in "
        "the image (of 2 checked images linked to a use).") in [m.value for m in at.markdown]
