"""A real install: the wheel `pip install .` builds, installed (not editable) into a fresh
virtual environment and run from another folder, finds its reference data and METHODOLOGY.md
in the package and keeps its warehouse in the user's data folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
from conftest import ROOT

METHODOLOGY_TITLE = (ROOT / "METHODOLOGY.md").read_text().splitlines()[0]

_NOISE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                "*.duckdb*", ".pytest_cache", ".ruff_cache")


def SKIP(folder: str, names: list[str]) -> set[str]:  # noqa: N802 — copytree's ignore
    """Build noise, and the checkout's own data (warehouses, demo files, bench runs)."""
    skipped = set(_NOISE(folder, names))
    if Path(folder) == ROOT / "data":
        skipped |= {"demo", "raw", "bench"} & set(names)
    return skipped


def _run(argv, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, f"{argv}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_pip_install_then_demo_and_report_from_another_folder(tmp_path: Path):
    src = tmp_path / "src"  # a clean copy: the build must not write into the checkout
    shutil.copytree(ROOT, src, symlinks=True, ignore=SKIP)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())
    # The dependencies come from this interpreter's site-packages, added as a plain path
    # (its .pth files, such as an editable twinimpact, are not processed) and after the
    # venv's own site-packages, so `etl` can only come from the installed wheel.
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # pip builds the wheel in an isolated environment (setuptools from the package index or
    # pip's cache) exactly as `pip install .` does, then installs it; --no-deps: see above.
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--target",
          str(site), str(src)])
    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "TWINIMPACT_DB", "XDG_DATA_HOME", "TWINIMPACT_PUBLIC"}}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    twinimpact = [str(py), "-m", "etl"]
    where = _run([str(py), "-c", "import etl, pathlib; print(pathlib.Path(etl.__file__))"],
                 cwd=elsewhere, env=env).stdout.strip()
    assert where == str(site / "etl" / "__init__.py")
    assert not (site / "etl" / "reference").is_symlink()  # copies, not links to a checkout
    help_text = _run([*twinimpact, "--help"], cwd=elsewhere, env=env).stdout
    data = home / ".local" / "share" / "twinimpact"
    assert str(data) in "".join(help_text.split())  # argparse wraps the long path
    _run([*twinimpact, "demo", "--seed", "7", "--scale", "small"], cwd=elsewhere, env=env)
    db = data / "warehouse.duckdb"
    assert db.exists() and (data / "demo" / "twins.csv").exists()
    out = _run([*twinimpact, "report", "--brand", "BR01", "--out", "r.html"], cwd=elsewhere,
               env=env).stdout
    assert out.startswith("wrote r.html")
    html = (elsewhere / "r.html").read_text(encoding="utf-8")
    assert "BR01" in html
    files = _run([str(py), "-c", "from etl import config as c; print(c.BLS_REFERENCE_CSV, "
                  "c.INDUSTRY_EVENTS_CSV.is_file(), c.SIMULATION_TOML.is_file(), "
                  "c.METHODOLOGY.read_text().splitlines()[0])"], cwd=elsewhere, env=env).stdout
    assert files.split(" ", 1) == [str(site / "etl/reference/bls_oews_national_reference.csv"),
                                   f"True True {METHODOLOGY_TITLE}\n"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select action, object, result from meta.audit").fetchall() == []
    rows = [json.loads(line) for line in (data / "warehouse.duckdb.audit.jsonl").open()]
    assert [(r["action"], r["object"]) for r in rows] == [
        ("report-export", "brand BR01 2025-01 to 2025-12 → r.html")]
    assert list(os.listdir(elsewhere)) == ["r.html"]  # nothing else written to the cwd
