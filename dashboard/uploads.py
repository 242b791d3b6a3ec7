"""What /upload does with the files it is given (no Streamlit, so it is tested directly):
names checked, bytes written to a private folder, one load through the loader, and the
upload's audit row written before the publish the upload makes (CONTRACT §7)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from dashboard import queries
from etl import audit
from etl.errors import UserError
from etl.load import load_paths


def safe_name(name: str) -> str:
    """The file's own name without folders or characters a path could misuse; a name that
    is no file name (empty, `.` or `..`) is refused with a clear message."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise UserError(f"{str(name)!r} is not a file name; rename the file (for example "
                        "bookings.csv) and upload it again. Nothing was loaded.")
    return re.sub(r"[^\w.\- ]", "_", base)[:200]


def load_upload(db: Path, kind: str, files: list[tuple[str, bytes]], *, user: str,
                role: str) -> tuple[list[dict], pd.DataFrame]:
    """Load the uploaded (name, bytes) files as `kind`: (one result per file, named as
    uploaded; the quarantined rows of this upload). The audit row (who, what, the result)
    is written inside the load's writer, so the publish it makes holds it."""
    shown = ", ".join(n for n, _ in files)
    who = dict(user=user, role=role, action="upload", object=f"{kind}: {shown}")
    try:  # every name checked before anything is written
        names = [safe_name(n) for n, _ in files]
    except UserError as exc:
        audit.record(db, **who, result=f"rejected: {exc}")
        raise

    def record(results: list[dict]) -> None:
        rejected = [r for r in results if r["status"] == "rejected"]
        audit.record(db, **who, result="ok" if not rejected else
                     f"rejected {len(rejected)} of {len(results)}")

    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-upload-"))
    try:
        paths = []
        for i, ((_, body), name) in enumerate(zip(files, names, strict=True)):
            folder = tmp / str(i)  # two uploads with one name stay two files
            folder.mkdir()
            p = folder / name
            p.write_bytes(body)
            paths.append(p)
        try:
            results = load_paths(db, kind, paths, before_publish=record)
        except UserError as exc:
            audit.record(db, **who, result=f"error: {exc}")
            raise
        results = [{**r, "file": n} for r, (n, _) in zip(results, files, strict=True)]
        quarantined = queries.quarantine_of(db, tuple(str(p) for p in paths))
        original = {str(p): n for p, (n, _) in zip(paths, files, strict=True)}
        quarantined["file"] = quarantined["file"].map(original)
        return results, quarantined
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
