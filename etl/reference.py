"""Real reference data: the shipped BLS OEWS figures as a crew-employment file.

The CSV in data/reference was read on bls.gov (national, cross-industry). Each row becomes one
crew-employment row: the SOC code names the role, the reference period's year is the period,
the annual median and mean wages are the earnings (basis `year`, USD), and the page's URL is
kept as source_url. The file then loads through the normal loader like any user's file.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from etl import config
from etl.errors import UserError

SOURCE = "BLS OEWS"
# SOC 2018 codes of the shoot roles (CALIBRATION.md); stylist = fashion designers.
SOC_ROLES = {
    "41-9012": "model",
    "27-4021": "photographer",
    "39-5012": "hair",
    "39-5091": "makeup",
    "27-1022": "stylist",
    "27-1027": "set_designer",
    "27-2012": "producer",
}
CREW_EMPLOYMENT_COLUMNS = (
    "period", "area", "role", "employed", "hours_worked", "median_earnings", "mean_earnings",
    "earnings_basis", "currency", "source", "source_url",
)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def _number(text: str) -> str:
    """'3,090' → '3090'; empty, '-', '*' (suppressed) → ''."""
    text = (text or "").strip().replace(",", "")
    return "" if text in {"", "-", "*", "#"} else text


def reference_rows(path: Path = config.BLS_REFERENCE_CSV) -> list[dict[str, str]]:
    """Crew-employment rows for every reference row whose SOC code names a shoot role."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            records = list(csv.DictReader(fh))
    except OSError as exc:
        raise UserError(f"cannot read the BLS reference file {path} ({exc.strerror}); "
                        "reinstall the project to restore data/reference") from exc
    rows = []
    for line, rec in enumerate(records, start=2):
        role = SOC_ROLES.get((rec.get("soc_code") or "").strip())
        if role is None:
            continue
        year = _YEAR.search(rec.get("reference_period") or "")
        if year is None:
            raise UserError(f"{path} line {line}: reference_period "
                            f"{rec.get('reference_period')!r} names no year")
        rows.append({
            "period": year.group(1),
            "area": (rec.get("area") or "US").strip(),
            "role": role,
            "employed": _number(rec.get("employment", "")),
            "hours_worked": "",
            "median_earnings": _number(rec.get("median_annual_wage", "")),
            "mean_earnings": _number(rec.get("mean_annual_wage", "")),
            "earnings_basis": "year",
            "currency": "USD",
            "source": SOURCE,
            "source_url": (rec.get("url") or "").strip(),
        })
    return rows


def write_crew_employment(path: Path, rows: list[dict[str, str]],
                          columns: tuple[str, ...] = CREW_EMPLOYMENT_COLUMNS) -> Path:
    """Write crew-employment rows as CSV, atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_bls_crew_employment(path: Path) -> Path:
    """The shipped BLS OEWS reference as a crew-employment CSV at `path` (returned)."""
    return write_crew_employment(path, reference_rows())
