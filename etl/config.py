"""Every path and environment setting in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEMO_DIR = DATA_DIR / "demo"
RAW_DIR = DATA_DIR / "raw"  # saved API responses (fetch-bls)
SQL_DIR = Path(__file__).resolve().parent / "sql"
METHODOLOGY = ROOT / "METHODOLOGY.md"

BLS_REFERENCE_CSV = REFERENCE_DIR / "bls_oews_national_reference.csv"
INDUSTRY_EVENTS_CSV = REFERENCE_DIR / "industry_events.csv"
SIMULATION_TOML = REFERENCE_DIR / "simulation.toml"

DEFAULT_CURRENCY = "EUR"
DEFAULT_K = 5
# DuckDB may use this much memory before spilling to disk (keeps loads inside 1.5 GB).
DUCKDB_MEMORY_LIMIT = os.environ.get("TWINIMPACT_MEMORY_LIMIT", "1GB")


def db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The warehouse: --db, else TWINIMPACT_DB, else data/warehouse.duckdb."""
    value = cli_value or os.environ.get("TWINIMPACT_DB") or DATA_DIR / "warehouse.duckdb"
    return Path(value).expanduser().resolve()


def public_mode(flag: bool = False, default: bool = False) -> bool:
    """--public, else TWINIMPACT_PUBLIC (1/true/yes or 0/false/no), else `default`."""
    raw = os.environ.get("TWINIMPACT_PUBLIC", "").strip().lower()
    if flag or raw in {"1", "true", "yes"}:
        return True
    if raw in {"0", "false", "no"}:
        return False
    return default


def k_threshold() -> int:
    raw = os.environ.get("TWINIMPACT_K", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else DEFAULT_K


def max_upload_mb() -> int:
    """The dashboard's upload limit in MB: TWINIMPACT_MAX_UPLOAD_MB, default 200."""
    raw = os.environ.get("TWINIMPACT_MAX_UPLOAD_MB", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 200
