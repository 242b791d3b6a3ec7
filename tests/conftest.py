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
