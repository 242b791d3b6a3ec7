"""`twinimpact scan-images PATH...`: read images' content credentials into raw.image_checks.

The kind `image-checks` (CONTRACT §1) is written by this command, not loaded from a file, with
the loader's promises (CONTRACT §2):

- provenance: one meta.loads row per scan (kind image-checks; `file` the paths as given;
  `sha256` the scan's fingerprint: every image's SHA-256, the map's bytes, --brand and the
  anchors' bytes); each image row keeps its file, load id and place in the scan (_line);
- idempotent: a scan whose fingerprint was loaded before is `skipped` (decided read-only:
  the warehouse is not copied); images are keyed by SHA-256, so an image scanned again with
  the same result is `unchanged`, with another (new anchors, new links) `updated`;
- an unreadable file (not an image, damaged, a manifest the library cannot read) is
  quarantined with its file and reason, never dropped; rows_in = inserted + updated +
  unchanged + quarantined;
- atomic: the rows, the quarantine and the load row are written in one transaction on the
  writer's private copy, published by one os.replace (etl/warehouse.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from etl import config, images, marts, merge, progress, warehouse
from etl.contracts import ID_MAX_LEN, Kind
from etl.errors import UserError

KIND = Kind("image-checks", "image_checks", ("sha256",), ())
# compared to tell `unchanged` from `updated` (not: file, checked_at, provenance)
COMPARED = ("format", "bytes", "manifest", "validation", "validation_codes", "trusted",
            "trust_anchors", "signer_org", "signer_cn", "claim_generator", "signed_at",
            "source_type", "training", "xmp_source_type", "ai_declared", "usage_id",
            "twin_id", "brand_id")
LINKS = ("usage_id", "twin_id", "brand_id")
COUNTS = ("rows_in", "inserted", "updated", "unchanged", "quarantined")
MAX_BYTES = 200 * 1024 * 1024  # an image larger than this is quarantined, not read


@dataclass
class Found:
    """A file to scan: its hash first (the scan's fingerprint); its bytes are read again,
    one file at a time, when its credentials are checked (a folder of large images never
    sits in memory at once)."""

    path: Path
    sha256: str | None
    error: str | None = None


def collect(paths: list[Path]) -> list[Path]:
    """The files to scan: each file given, and every JPEG, PNG, WebP, AVIF or HEIC file
    under each folder given (recursively, in name order). UserError for a missing path."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*")
                          if f.is_file() and f.suffix.lower() in images.EXTENSIONS)
        elif p.is_file():
            out.append(p)
        else:
            raise UserError(f"{p}: no such file or folder; give image files or folders "
                            "holding them")
    return out


def read_map(path: Path | None) -> dict[str, dict[str, str]]:
    """`--map FILE`: a CSV whose rows link an image, by `sha256` or by `file` (its name),
    to usage_id, twin_id and/or brand_id. Returns {sha256 or file name: links}."""
    if path is None:
        return {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"--map {path}: no such file") from None
    except UnicodeDecodeError:
        raise UserError(f"--map {path}: not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not ({"file", "sha256"} & set(header)) or not (set(LINKS) & set(header)):
        raise UserError(f"--map {path}: the header needs a `file` or `sha256` column and at "
                        "least one of usage_id, twin_id, brand_id (found: "
                        f"{', '.join(header) or 'nothing'})")
    out: dict[str, dict[str, str]] = {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        key = row.get("sha256", "").lower() or Path(row.get("file", "")).name
        if not key:
            raise UserError(f"--map {path}: line {line} names no file and no sha256")
        links = {c: row[c] for c in LINKS if row.get(c)}
        if any(len(v) > ID_MAX_LEN for v in links.values()):
            raise UserError(f"--map {path}: line {line}: an id longer than {ID_MAX_LEN} "
                            "characters")
        if key in out and out[key] != links:
            raise UserError(f"--map {path}: line {line} links {key} again, differently; "
                            "keep one line per image")
        out[key] = links
    return out


def read_anchors(path: Path | None) -> str | None:
    """`--trust FILE`: PEM certificates (the trust anchors), or None."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise UserError(f"--trust {path}: no such file") from None
    except UnicodeDecodeError:
        text = ""
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise UserError(f"--trust {path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----"
                        "); give the trust anchors as a PEM file")
    return text


def _hash(path: Path) -> Found:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Found(path, None, f"larger than {MAX_BYTES // 2**20} MB; not read")
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        return Found(path, None, f"cannot be read ({exc.strerror})")
    return Found(path, digest.hexdigest(), "empty (0 bytes)" if size == 0 else None)


def fingerprint(found: list[Found], map_path: Path | None, brand: str | None,
                anchors: str | None) -> str:
    """What decides a scan's result: the images' bytes, the map, --brand and the anchors."""
    digest = hashlib.sha256(b"image-checks/1\0")
    for f in sorted(found, key=lambda f: (f.sha256 or "", str(f.path))):
        digest.update(f"{f.sha256 or 'unreadable:' + str(f.path)}\0".encode())
    digest.update(hashlib.sha256(map_path.read_bytes() if map_path else b"").digest())
    digest.update(f"\0{brand or ''}\0".encode())
    digest.update(hashlib.sha256((anchors or "").encode()).digest())
    return digest.hexdigest()


def _links(f: Found, mapping: dict, brand: str | None) -> dict:
    links = mapping.get(f.sha256 or "") or mapping.get(f.path.name) or {}
    out = {c: links.get(c) for c in LINKS}
    if brand:
        out["brand_id"] = out["brand_id"] or brand
    return out


def check_all(found: list[Found], mapping: dict, brand: str | None, anchors: str | None,
              bar) -> list[dict]:
    """One result per file: its row (status to be set by the merge) or its quarantine reason."""
    anchors_hash = hashlib.sha256(anchors.encode()).hexdigest() if anchors else None
    task = bar.add_task("reading content credentials", total=len(found))
    now = dt.datetime.now(dt.UTC)
    out = []
    for line, f in enumerate(found, start=1):
        base = {"file": str(f.path), "line": line, "sha256": f.sha256}
        if f.error is None:
            try:
                row = images.check(f.path.read_bytes(), anchors)
            except OSError as exc:
                f.error = f"cannot be read ({exc.strerror})"
            except images.Unreadable as exc:
                f.error = str(exc)
            else:
                # the anchors judged a signer: none to judge without a manifest
                out.append({**base, **row,
                            "trust_anchors": anchors_hash if row["manifest"] else None,
                            **_links(f, mapping, brand), "checked_at": now, "error": None})
        if f.error is not None:
            out.append({**base, "error": f.error})
        bar.advance(task)
    return out


def _duplicates(results: list[dict]) -> None:
    """The same bytes twice in one scan: later copies are quarantined when their links
    differ from the first's (the scan cannot say which is right), else marked as copies."""
    first: dict[str, dict] = {}
    for r in results:
        if r["error"] is not None:
            continue
        seen = first.setdefault(r["sha256"], r)
        if seen is r:
            continue
        if any(seen[c] != r[c] for c in LINKS):
            r["error"] = (f"the same image (SHA-256) as {seen['file']} in this scan, linked "
                          "differently in the map; link one copy")
        else:
            r["copy_of"] = seen["file"]


_COLUMNS = ("sha256", "file", *COMPARED, "checked_at")


def _rule(error: str) -> tuple[str, str]:
    """(column, rule) of a quarantine reason, without the file's name or values: what a
    reason may show outside the local single-user mode (CONTRACT §6)."""
    if error.startswith("the same image"):
        return "sha256", "the same image linked differently in one scan"
    return "file", "not a readable image"


def _store(con, results: list[dict], load_id: int) -> dict:
    """Merge the good rows into raw.image_checks and quarantine the rest (caller's
    transaction); set each result's status; return the merge counts."""
    landing = merge.raw_columns(con, KIND)
    merge.create_landing(con, "temp._landing_images", temp=True, columns=landing)
    good = [r for r in results if r["error"] is None and "copy_of" not in r]
    if good:
        con.executemany(
            f"insert into temp._landing_images ({', '.join(_COLUMNS)}, _load_id, _line) "  # noqa: S608
            f"values ({', '.join('?' for _ in _COLUMNS)}, ?, ?)",
            [[r[c] for c in _COLUMNS] + [load_id, r["line"]] for r in good])
    same = " and ".join(f"t.{c} is not distinct from l.{c}" for c in COMPARED)
    before = dict(con.execute(
        f"select l.sha256, ({same}) from temp._landing_images l "  # noqa: S608 — our columns
        "join raw.image_checks t using (sha256)").fetchall())
    counts = merge.merge(con, KIND, "temp._landing_images", list(COMPARED),
                         [c for c, _, _ in landing], len(good))
    for r in results:
        if r["error"] is not None:
            r["status"] = "quarantined"
        elif "copy_of" in r:
            r["status"] = "unchanged"
        else:
            r["status"] = ("inserted" if r["sha256"] not in before
                           else "unchanged" if before[r["sha256"]] else "updated")
    counts["unchanged"] += sum(1 for r in results if "copy_of" in r)
    bad = [[load_id, r["file"], r["line"], r["error"],
            json.dumps({"file": r["file"], "sha256": r["sha256"]}), *_rule(r["error"])]
           for r in results if r["error"] is not None]
    if bad:
        con.executemany("insert into meta.quarantine (load_id, kind, file, line, reason, raw, "
                        "column_name, rule) values (?, 'image-checks', ?, ?, ?, ?, ?, ?)", bad)
    con.execute("drop table temp._landing_images")
    return counts


def _record(con, load_id: int, result: dict, started: dt.datetime, simulated: bool) -> None:
    con.execute(
        "insert into meta.loads (load_id, kind, file, sha256, status, started_at, finished_at,"
        " rows_in, inserted, updated, unchanged, quarantined, ignored_columns, error, "
        "simulated) values (?, 'image-checks', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, [], null, ?)",
        [load_id, result["file"], result["sha256"], result["status"], started,
         dt.datetime.now(dt.UTC), *(result[c] for c in COUNTS), simulated])


def _stored(db: Path, results: list[dict]) -> None:
    """Fill a skipped scan's results from the warehouse (the checks as stored)."""
    with warehouse.reader(db) as con:
        for r in results:
            if r["error"] is not None or r["sha256"] is None:
                continue
            got = con.execute(f"select {', '.join(COMPARED)} from raw.image_checks "  # noqa: S608
                              "where sha256 = ?", [r["sha256"]]).fetchone()
            if got:
                r.update(zip(COMPARED, got, strict=True))


def _already(db: Path, fp: str) -> bool:
    """Whether a scan with this fingerprint was loaded into the published warehouse."""
    if not db.exists():
        return False
    with warehouse.reader(db) as con:
        tables = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database()").fetchall()}
        if not {"meta.loads", "raw.image_checks"} <= tables or not marts.up_to_date(con):
            return False
        return bool(con.execute(
            "select count(*) from meta.loads where kind = 'image-checks' and sha256 = ? "
            "and status = 'loaded'", [fp]).fetchone()[0])


def scan(db: Path, paths: list[Path], *, map_path: Path | None = None,
         brand: str | None = None, trust: Path | None = None, show_progress: bool = False,
         simulated: bool = False, con=None) -> tuple[dict, list[dict]]:
    """Scan the images and store the results; returns (the load result, one dict per image).

    With `con` (an open writer's connection: the demo), the rows are written there and no
    publish happens here."""
    if brand is not None and not (brand.strip() and len(brand.strip()) <= ID_MAX_LEN):
        raise UserError(f"--brand {brand!r}: an id is 1 to {ID_MAX_LEN} characters")
    brand = brand.strip() if brand else None
    files = collect(paths)
    mapping = read_map(map_path)
    anchors = read_anchors(trust)
    found = [_hash(p) for p in files]
    fp = fingerprint(found, map_path, brand, anchors)
    result = {"file": ", ".join(str(p) for p in paths), "kind": KIND.name, "sha256": fp,
              "status": "loaded", **dict.fromkeys(COUNTS, 0), "ignored_columns": [],
              "error": None}
    started = dt.datetime.now(dt.UTC)
    if con is not None:
        with progress.bar(False) as bar:
            rows = check_all(found, mapping, brand, anchors, bar)
        _duplicates(rows)
        _write(con, rows, result, started, simulated)
        return result, rows
    with warehouse.writer_lock(db):
        if _already(db, fp):
            rows = [{"file": str(f.path), "line": i, "sha256": f.sha256, "error": f.error,
                     "status": "skipped"} for i, f in enumerate(found, start=1)]
            _stored(db, rows)
            result["status"] = "skipped"
            warehouse.record_attempts(db, [{**result, "started_at": started.isoformat(),
                                            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
                                            "simulated": simulated}])
            return result, rows
        with progress.bar(show_progress) as bar:
            rows = check_all(found, mapping, brand, anchors, bar)
        _duplicates(rows)
        with warehouse.private_copy(db) as wcon:
            warehouse.ensure_schema(wcon)
            from etl.load import _merge_attempts  # the loader's: attempts beside the warehouse

            _merge_attempts(wcon, db)
            _write(wcon, rows, result, started, simulated)
            marts.rebuild(wcon)
        warehouse.attempts_path(db).unlink(missing_ok=True)
    return result, rows


def _write(con, rows: list[dict], result: dict, started: dt.datetime, simulated: bool) -> None:
    load_id = con.execute("select nextval('meta.load_seq')").fetchone()[0]
    con.execute("begin transaction")
    try:
        counts = _store(con, rows, load_id)
        result.update(counts, rows_in=len(rows),
                      quarantined=sum(1 for r in rows if r["error"] is not None))
        _record(con, load_id, result, started, simulated)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


JSON_FIELDS = ("file", "status", "sha256", "format", "bytes", "manifest", "validation",
               "validation_codes", "trusted", "signer_org", "signer_cn", "claim_generator",
               "signed_at", "source_type", "training", "xmp_source_type", "ai_declared",
               "usage_id", "twin_id", "brand_id", "error")


def as_json(row: dict) -> dict:
    """One image's line of `scan-images --json`."""
    return {k: row.get(k) for k in JSON_FIELDS}


def summary(result: dict, rows: list[dict]) -> str:
    """The human lines after a scan."""
    if not rows:
        return (f"no image files in {result['file']} (JPEG, PNG, WebP, AVIF or HEIC by "
                "extension in folders); nothing to check")
    if result["status"] == "skipped":
        return (f"skipped: these {result['rows_in'] or len(rows)} images were scanned before "
                "with the same map, brand and trust anchors (same fingerprint); nothing changed")
    good = [r for r in rows if r["error"] is None]
    lines = [f"scanned {len(rows):,} images — {result['inserted']:,} inserted, "
             f"{result['updated']:,} updated, {result['unchanged']:,} unchanged, "
             f"{result['quarantined']:,} quarantined"
             + (" (see: twinimpact quarantine)" if result["quarantined"] else "")]
    if good:
        n = len(good)
        lines.append(
            f"  {sum(r['manifest'] for r in good):,} with content credentials "
            f"({sum(r['validation'] == 'valid' for r in good):,} valid, "
            f"{sum(r['validation'] == 'invalid' for r in good):,} invalid, "
            f"{sum(bool(r['trusted']) for r in good):,} signed by a trusted signer); "
            f"{sum(r['ai_declared'] for r in good):,} of {n:,} declare AI generation; "
            f"{sum(r['training'] == 'not_allowed' for r in good):,} say no AI training")
    return "\n".join(lines)


def cmd_scan_images(args) -> int:
    """CLI handler: `twinimpact scan-images PATH... [--brand] [--map] [--trust] [--json]`."""
    db = config.db_path(args.db)
    result, rows = scan(db, [Path(p) for p in args.paths],
                        map_path=Path(args.map) if args.map else None, brand=args.brand,
                        trust=Path(args.trust) if args.trust else None,
                        show_progress=progress.wanted(args.json))
    if args.json:
        for r in rows:
            print(json.dumps(as_json(r), ensure_ascii=False, default=str), flush=True)
    else:
        print(summary(result, rows), flush=True)
    for r in rows:
        if r.get("error") and not args.json:
            print(f"quarantined {r['file']}: {r['error']}", file=sys.stderr)
    return 0
