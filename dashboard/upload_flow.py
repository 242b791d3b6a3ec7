"""What /upload does with the files an admin chose, without Streamlit: the CLI's `load` with
every option (--map/--save-map, --covers, --encoding, --decimal, --currency) and the files
known by their own names, not the temporary paths they are written to (so a re-uploaded
bookings.csv replaces its earlier coverage, and quarantine and provenance name it)."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from etl import audit, mapping
from etl.errors import UsageError, UserError
from etl.load import load_paths, parse_covers

UPLOAD_ORIGIN = "upload page"


def safe_name(name: str) -> str:
    """The file's own name without folders or characters a path could misuse; a name that
    is no file name (empty, `.` or `..`) is refused with a clear message."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise UserError(f"{str(name)!r} is not a file name; rename the file (for example "
                        "bookings.csv) and upload it again. Nothing was loaded.")
    return re.sub(r"[^\w.\- ]", "_", base)[:200]


@dataclass
class Options:
    """The load options of `twinimpact load`, as the page's widgets give them (text)."""

    covers: str = ""
    encoding: str = ""
    decimal: str = "."
    currency: str = ""
    mapping_text: str = ""     # TOML; empty = no mapping
    mapping_name: str = ""     # the saved mapping the text came from, if unchanged
    save_as: str = ""          # --save-map NAME


def transform(kind: str, options: Options) -> tuple[mapping.Mapping | None, str | None]:
    """(the mapping to apply, the name to save it under); UserError/UsageError if wrong."""
    text = options.mapping_text.strip()
    save_as = options.save_as.strip() or None
    if not text:
        if save_as:
            raise UsageError("give a mapping to save (the mapping box is empty)")
        return None, None
    if save_as:
        mapping.check_name(save_as)
    name = save_as or (options.mapping_name.strip() or None)
    return mapping.parse(options.mapping_text, kind, name or UPLOAD_ORIGIN, name), save_as


def load_uploads(db: Path, kind: str, uploads: list[tuple[str, bytes]], options: Options,
                 *, user: str = "local", role: str = "local") -> list[dict]:
    """Write the uploads to a private temporary folder and load them as `load` would, each
    recorded under its own (safe) name; the folder is removed afterwards. The upload's audit
    row (who, what, the result) is written inside the load's writer, so the publish it makes
    holds it (CONTRACT §7); a refused upload is recorded too."""
    shown = ", ".join(n for n, _ in uploads)
    who = dict(user=user, role=role, action="upload", object=f"{kind}: {shown}")
    try:  # every name and option checked before anything is written
        names = [safe_name(n) for n, _ in uploads]
        covers = parse_covers(options.covers, kind) if options.covers.strip() else None
        tf, save_as = transform(kind, options)
    except (UserError, UsageError) as exc:
        audit.record(db, **who, result=f"rejected: {exc}")
        raise

    def record(results: list[dict]) -> None:
        rejected = [r for r in results if r["status"] == "rejected"]
        audit.record(db, **who, result="ok" if not rejected else
                     f"rejected {len(rejected)} of {len(results)}")

    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-upload-"))
    try:
        paths = []
        for i, ((_, body), name) in enumerate(zip(uploads, names, strict=True)):
            folder = tmp / str(i)  # two uploads with one name stay two files
            folder.mkdir()
            path = folder / name
            path.write_bytes(body)
            paths.append(path)
        try:
            return load_paths(db, kind, paths, encoding=options.encoding.strip() or None,
                              decimal=options.decimal, currency=options.currency.strip() or None,
                              covers=covers, transform=tf, save_map=save_as, names=names,
                              before_publish=record)
        except (UserError, UsageError) as exc:
            audit.record(db, **who, result=f"error: {exc}")
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def suggest(kind: str, name: str, data: bytes, encoding: str = "") -> str:
    """`twinimpact map suggest` on one uploaded file (written to a temporary folder)."""
    from etl import suggest as suggest_mod
    from etl.sources.files import FileProblem

    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-suggest-"))
    try:
        path = tmp / safe_name(name)
        path.write_bytes(data)
        try:
            return suggest_mod.suggest(kind, path, encoding.strip() or None)
        except FileProblem as exc:
            raise UserError(f"{safe_name(name)}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
