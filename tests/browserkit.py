"""Browser tests' shared pieces: Debian's chromium, and a real dashboard on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def need_chromium() -> None:
    """Skip without Debian's chromium; in CI its absence is a failure, never a skip."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(db: Path, env: dict | None = None, cwd: Path = ROOT,
                    port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`twinimpact dashboard` on 127.0.0.1 (a free port unless given); (process, base URL)."""
    port = port or free_port()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "dashboard", "--db", str(db),
                             "--port", str(port)], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    return proc, f"http://127.0.0.1:{port}"


def wait_up(proc: subprocess.Popen, base: str, seconds: float = 40) -> None:
    """Until Streamlit's health check answers; fails if the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=1).text == "ok":
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, "the dashboard exited at start"
        assert time.monotonic() < deadline, f"the dashboard did not come up in {seconds:.0f} s"
        time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, 15)
    proc.wait(timeout=10)
