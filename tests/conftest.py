"""Shared fixtures: real DuckDB warehouses in temporary folders, never mocks."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_SEED = 7


def run_cli(*args: str, env: dict | None = None, input: str | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `python -m etl ARGS` as a user would, capturing stdout/stderr as text."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        cwd=ROOT, env=full_env, input=input, capture_output=True, text=True, timeout=timeout,
    )


# The slowest modules, slowest first (per-module totals of `pytest --durations=0`, 2026-12-07),
# run before the others. `make test` runs `-n 2 --dist loadfile`: one module per worker at a
# time, so a long module left for the end keeps one worker busy while the other waits.
# pyproject's --no-loadscope-reorder keeps this order (xdist otherwise puts the modules with
# the most tests first). The rest follow in their usual order.
SLOWEST_FIRST = (
    "test_cli_errors.py", "test_accessibility.py", "test_attacks_hidden.py", "test_release.py", "test_disclosure.py",
    "test_browser.py", "test_marts_demo.py", "test_signin_browser.py", "test_bench.py",
    "test_schema.py", "test_validate_cmd.py", "test_attacks_public.py", "test_install.py",
    "test_estimates_messy.py", "test_atomicity.py", "test_dashboard_pages.py",
    "test_load_cost.py", "test_marts_incremental.py", "test_attacks_doors.py",
    "test_upload_browser.py", "test_release_public.py", "test_status.py",
    "test_chart_images.py", "test_report.py", "test_estimates.py", "test_simulate.py",
    "test_load_merge.py", "test_load_mapping.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as is


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    """A warehouse path in a fresh temporary folder (the file does not exist yet)."""
    return tmp_path / "warehouse.duckdb"


def _code_digest() -> str:
    """Changes whenever the simulator, loader, SQL or parameters change."""
    h = hashlib.sha256()
    for p in sorted([*ROOT.glob("etl/**/*.py"), *ROOT.glob("etl/**/*.sql"),
                     ROOT / "data" / "reference" / "simulation.toml"]):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo (seed 7), built once per test run and shared by xdist workers.

    Tests must treat it as read-only; copy it to modify it.
    """
    # keyed on the code: without xdist, basetemp's parent outlives the session
    shared = tmp_path_factory.getbasetemp().parent / f"demo-seed{DEMO_SEED}-{_code_digest()}"
    shared.mkdir(exist_ok=True)
    db = shared / "warehouse.duckdb"
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".done").exists():
            proc = run_cli("demo", "--seed", str(DEMO_SEED), "--scale", "small",
                           "--out", str(shared / "files"), "--db", str(db))
            assert proc.returncode == 0, proc.stderr
            (shared / ".done").write_text("ok")
    return db
