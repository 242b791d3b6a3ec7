"""File-level rules: rejected files change no data table but are recorded; text dialects."""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
from decimal import Decimal

import pytest
from loadkit import fresh_db, load, open_con, row, write

HEADER = "twin_id,model_id,created_on\n"


@pytest.fixture
def con(tmp_path):
    c = open_con(fresh_db(tmp_path))
    # one earlier good load, so "unchanged" is checked against real data
    load(c, "twins", write(tmp_path / "base.csv", [{"twin_id": "T0", "model_id": "M0",
                                                    "created_on": "2024-01-01"}]))
    yield c
    c.close()


def _snapshot(con):
    return (con.execute("select * from raw.twins order by all").fetchall(),
            con.execute("select count(*) from meta.quarantine").fetchone())


def _bytes(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


REJECTIONS = [
    ("missing.csv", None, "file not found; check the path"),
    ("t.txt", HEADER.encode(), "unsupported file type .txt; use one of .csv, .tsv, .csv.gz, "
     ".tsv.gz, .parquet, .jsonl, .ndjson, .xlsx"),
    ("empty.csv", b"", "the file is empty (0 bytes); export it again with a header line"),
    ("blank.csv", b"\n\nT1,M1,2024-01-01\n", "the file has no header line; the first line "
     "must name the columns (see CONTRACT §1)"),
    ("bin.csv", HEADER.encode() + b"T1,M1,2024-01-01\x00\x01\n",
     "the file contains NUL bytes (binary data, not CSV text); export it as CSV text"),
    ("latin.csv", HEADER.encode() + "T1,Zoë,2024-01-01\n".encode("latin-1"),
     "line 2: the file is not UTF-8 text; pass --encoding, e.g. --encoding latin-1"),
    ("u16.csv", codecs.BOM_UTF16_LE + (HEADER + "T1,M1,2024-01-01\n").encode("utf-16-le"),
     "the file is UTF-16 text, not UTF-8; pass --encoding utf-16"),
    ("cols.csv", b"twin_id,created\nT1,2024-01-01\n",
     "missing required columns model_id, created_on; add them to the header (a twins file "
     "needs twin_id, model_id, created_on)"),
    ("bookings.csv", b"booking_id,brand_id,shoot_date,channel,region,days,assets,status\n"
     b"B1,BR,2024-01-05,ecommerce,GB,1,20,completed\n",
     "missing required columns twin_id, model_id, created_on; add them to the header (a twins "
     "file needs twin_id, model_id, created_on); its header fits bookings: `twinimpact load "
     "bookings FILE`"),
    ("dup.csv", b"twin_id,model_id,created_on, Twin_ID\nT1,M1,2024-01-01,T2\n",
     "duplicate column name 'twin_id' (columns 1 and 4, ignoring case and spaces); rename or "
     "remove one"),
    ("ragged.csv", (HEADER + "T1,M1,2024-01-01,extra\n").encode(),
     "line 2: 4 fields where the header has 3 (delimiter ','); fix that line or quote values "
     "containing the delimiter"),
    ("bad.parquet", b"PAR1 not really parquet", None),
    ("bad.xlsx", b"PK not a zip", "not a readable .xlsx workbook (BadZipFile); save it again "
     "as Excel Workbook (.xlsx)"),
    ("bad.jsonl", b'{"twin_id": "T1"\n', None),
]


@pytest.mark.parametrize(("name", "data", "error"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_rejected_file_changes_nothing_and_is_recorded(con, tmp_path, name, data, error):
    before = _snapshot(con)
    path = tmp_path / name if data is None else _bytes(tmp_path, name, data)
    r = load(con, "twins", path)
    assert r["status"] == "rejected"
    if error:
        assert r["error"] == error
    else:
        assert r["error"].startswith(("not a readable Parquet file", "not readable as JSON"))
    assert "\n" not in r["error"]
    assert _snapshot(con) == before
    rec = con.execute("select status, error, rows_in, sha256 is not null from meta.loads "
                      "where file = ?", [str(path)]).fetchone()
    assert rec == ("rejected", r["error"], 0, data is not None)


def test_non_utf8_loads_with_encoding(con, tmp_path):
    p = _bytes(tmp_path, "latin.csv", HEADER.encode() + "T1,Zoë,2024-01-01\n".encode("latin-1"))
    assert load(con, "twins", p)["status"] == "rejected"
    r = load(con, "twins", p, encoding="latin-1")
    assert (r["status"], r["inserted"]) == ("loaded", 1)
    assert con.execute("select model_id from raw.twins where twin_id = 'T1'").fetchone() == \
        ("Zoë",)


def test_utf16_loads_with_encoding(con, tmp_path):
    text = HEADER + "T1,Zoë,2024-01-01\n"
    p = _bytes(tmp_path, "u16.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    r = load(con, "twins", p, encoding="utf-16")
    assert (r["status"], r["inserted"]) == ("loaded", 1)


def test_header_only_loads_nothing(con, tmp_path):
    r = load(con, "twins", _bytes(tmp_path, "h.csv", HEADER.encode()))
    assert (r["status"], r["rows_in"], r["error"]) == ("loaded", 0, None)


@pytest.mark.parametrize(("name", "data"), [
    ("bom.csv", b"\xef\xbb\xbf" + b" Twin_ID ;MODEL_id; Created_On ;Note\nT1;M1;2024-01-01;x\n"),
    ("tab.csv", b"twin_id\tmodel_id\tcreated_on\tnote\nT1\tM1\t2024-01-01\tx\n"),
    ("gz.csv.gz", gzip.compress(b"created_on;note;twin_id;model_id\n2024-01-01;x;T1;M1\n", mtime=0)),
    ("crlf.csv", b"twin_id,model_id,created_on,note\r\nT1,M1,2024-01-01,x\r\n"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_header_dialects(con, tmp_path, name, data):
    r = load(con, "twins", _bytes(tmp_path, name, data))
    assert (r["status"], r["inserted"], r["quarantined"]) == ("loaded", 1, 0), r
    assert r["ignored_columns"] == ["Note" if name == "bom.csv" else "note"]
    assert con.execute("select twin_id, model_id, created_on from raw.twins "
                       "where twin_id = 'T1'").fetchone() == ("T1", "M1", dt.date(2024, 1, 1))


def test_decimal_comma(con, tmp_path):
    f = write(tmp_path / "crew.csv", [row("booking-crew", days="1,5", day_rate="1.234,50",
                                          fee_total="")], delimiter=";")
    r = load(con, "booking-crew", f, decimal=",")
    assert (r["inserted"], r["quarantined"]) == (1, 0), r
    assert con.execute("select days, day_rate, fee_total from raw.booking_crew").fetchone() == \
        (Decimal("1.50"), Decimal("1234.5000"), Decimal("1851.7500"))
