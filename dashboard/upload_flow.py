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

from etl import mapping
from etl.errors import UsageError, UserError
from etl.load import load_paths, parse_covers

UPLOAD_ORIGIN = "upload page"


def safe_name(name: str) -> str:
    """The file's own name without folders or characters a path could misuse."""
    name = Path(name).name.strip()
    if not name.strip("."):  # "", "." and ".." name no file (".." would be the parent)
        return "upload"
    return re.sub(r"[^\w.\- ]", "_", name)[:200]


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


def load_uploads(db: Path, kind: str, uploads: list[tuple[str, bytes]],
                 options: Options) -> list[dict]:
    """Write the uploads to a private temporary folder and load them as `load` would, each
    recorded under its own (safe) name; the folder is removed afterwards."""
    covers = parse_covers(options.covers, kind) if options.covers.strip() else None
    tf, save_as = transform(kind, options)
    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-upload-"))
    try:
        paths, names = [], []
        for i, (name, data) in enumerate(uploads):
            folder = tmp / str(i)  # two uploads with one name stay two files
            folder.mkdir()
            path = folder / safe_name(name)
            path.write_bytes(data)
            paths.append(path)
            names.append(safe_name(name))
        return load_paths(db, kind, paths, encoding=options.encoding.strip() or None,
                          decimal=options.decimal, currency=options.currency.strip() or None,
                          covers=covers, transform=tf, save_map=save_as, names=names)
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
