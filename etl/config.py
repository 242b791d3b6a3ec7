"""Every path and environment setting in one place."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent  # the checkout, when running from one (site-packages when installed)
# Package data, found the same way in a checkout (etl/reference and etl/METHODOLOGY.md are
# symlinks to data/reference and METHODOLOGY.md) and in an installed wheel (copies).
REFERENCE_DIR = PACKAGE / "reference"
SQL_DIR = PACKAGE / "sql"
METHODOLOGY = PACKAGE / "METHODOLOGY.md"


def is_checkout(folder: Path) -> bool:
    """A Twin Impact source checkout: its pyproject names the project and etl/ is beside it."""
    try:
        return ((folder / "etl" / "config.py").is_file()
                and 'name = "twinimpact"' in (folder / "pyproject.toml").read_text())
    except OSError:
        return False


def data_dir() -> Path:
    """Where the default warehouse, demo files and saved API responses live: the current
    folder's data/ inside a checkout, else the user's data folder (platformdirs:
    ~/.local/share/twinimpact on Linux)."""
    cwd = Path.cwd()
    if is_checkout(cwd):
        return cwd / "data"
    import platformdirs
    return Path(platformdirs.user_data_dir("twinimpact", appauthor=False))


DATA_DIR = data_dir()
DEMO_DIR = DATA_DIR / "demo"
RAW_DIR = DATA_DIR / "raw"  # saved API responses (fetch-bls)

BLS_REFERENCE_CSV = REFERENCE_DIR / "bls_oews_national_reference.csv"
UK_EU_CODES_CSV = REFERENCE_DIR / "uk_eu_occupation_codes.csv"
INDUSTRY_EVENTS_CSV = REFERENCE_DIR / "industry_events.csv"
SIMULATION_TOML = REFERENCE_DIR / "simulation.toml"

DEFAULT_CURRENCY = "EUR"
DEFAULT_K = 5
# DuckDB may use this much memory before spilling to disk (keeps loads inside 1.5 GB).
DUCKDB_MEMORY_LIMIT = os.environ.get("TWINIMPACT_MEMORY_LIMIT", "1GB")


def db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The warehouse: --db, else TWINIMPACT_DB, else DATA_DIR/warehouse.duckdb."""
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


def private_mode() -> bool:
    """TWINIMPACT_PRIVATE=1: the operator asked for the private single-user view on purpose
    (`twinimpact dashboard --private`), also where it would otherwise serve public mode."""
    return os.environ.get("TWINIMPACT_PRIVATE", "").strip().lower() in {"1", "true", "yes"}


def k_threshold() -> int:
    raw = os.environ.get("TWINIMPACT_K", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else DEFAULT_K


def max_upload_mb() -> int:
    """The dashboard's upload limit in MB: TWINIMPACT_MAX_UPLOAD_MB, default 200."""
    raw = os.environ.get("TWINIMPACT_MAX_UPLOAD_MB", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 200
