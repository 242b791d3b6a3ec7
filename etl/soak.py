"""`twinimpact bench --soak`: many readers at once while a big load publishes.

Starts the dashboard on 127.0.0.1 over a fresh demo warehouse, opens N browser sessions
(Playwright contexts in one Debian chromium: each is a real Streamlit session with its own
websocket, cookies and script runs) that page through every page for a bounded time, and
publishes a 1M-row twin-usage load part-way. Counts errors (an exception box, a script error,
a page that does not finish within 60 s) and reports p50/p95 page time. 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from etl.bench import generate_usage_csv
from etl.errors import UsageError, UserError

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]
PAGES = ["", "displacement", "income", "consent", "employment", "brand-report", "data"]
PAGE_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    if len(xs) == 1:
        return round(xs[0], 3)
    return round(statistics.quantiles(xs, n=100, method="inclusive")[q - 1], 3)


async def _session(browser, base: str, i: int, stop: float, times: list, errors: list) -> None:
    """One reader: a fresh context paging round-robin (each starts on another page)."""
    start = time.monotonic()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(f"session {i}: script error {exc}"))
    n = i
    try:
        while time.monotonic() < stop:
            path = PAGES[n % len(PAGES)]
            n += 1
            t0 = time.monotonic()
            try:
                await page.goto(f"{base}/{path}", timeout=PAGE_TIMEOUT_MS)
                await page.wait_for_selector("h1", timeout=PAGE_TIMEOUT_MS)
                await page.wait_for_function(
                    "!document.querySelector('[data-testid=stStatusWidget]')",
                    timeout=PAGE_TIMEOUT_MS)
                if await page.locator("[data-testid=stException]").count():
                    text = await page.locator("[data-testid=stException]").first.inner_text()
                    errors.append(f"session {i} /{path}: {text.splitlines()[0][:200]}")
                    continue
                times.append(time.monotonic() - t0)
            except Exception as exc:  # a timeout or a dropped connection is an error here
                status = ""
                try:  # what the page was showing: still running, or reconnecting
                    status = await page.locator("[data-testid=stStatusWidget]").first\
                        .inner_text(timeout=2000)
                except Exception:  # noqa: S110 — best effort, for the message only
                    pass
                errors.append(f"session {i} /{path} at {time.monotonic() - start:.0f} s: "
                              f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                              f" (status: {status.strip()[:60] or 'none'})")
    finally:
        await ctx.close()


async def _readers(base: str, sessions: int, seconds: float, times: list, errors: list):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            stop = time.monotonic() + seconds
            await asyncio.gather(*(_session(browser, base, i, stop, times, errors)
                                   for i in range(sessions)))
        finally:
            await browser.close()


def run(sessions: int = 20, seconds: float = 120, events: int = 1_000_000,
        load_after: float = 10) -> dict:
    """The soak in a private temp folder; returns the figures (see module docstring)."""
    if not Path(CHROMIUM).exists():
        raise UserError(f"{CHROMIUM} is missing: install Debian's chromium "
                        "(apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="twinimpact-soak-"))
    py = sys.executable
    env = {**os.environ, "TWINIMPACT_PUBLIC": "0"}
    env.pop("TWINIMPACT_DB", None)
    db = work / "warehouse.duckdb"
    dash = None
    try:
        subprocess.run([py, "-m", "etl", "demo", "--seed", "7", "--scale", "small", "--db",
                        str(db), "--out", str(work / "demo")], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        csv = work / "usage.csv"
        generate_usage_csv(csv, events)
        port = _free_port()
        dash = subprocess.Popen([py, "-m", "etl", "dashboard", "--db", str(db), "--port",
                                 str(port)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if dash.poll() is not None or time.monotonic() > deadline:
                raise UserError("the dashboard did not start for the soak")
            time.sleep(0.3)
        times: list[float] = []
        errors: list[str] = []
        load: dict = {}

        async def main():
            async def loader():
                await asyncio.sleep(load_after)
                t0 = time.monotonic()
                proc = await asyncio.create_subprocess_exec(
                    py, "-m", "etl", "load", "twin-usage", str(csv), "--db", str(db),
                    "--json", env=env, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE)
                out, err = await proc.communicate()
                load.update(seconds=round(time.monotonic() - t0, 1),
                            started_at=load_after, returncode=proc.returncode,
                            status=[json.loads(x)["status"] for x in out.decode().splitlines()
                                    if x.startswith("{")],
                            error=err.decode().strip()[:300] or None)
            await asyncio.gather(_readers(base, sessions, seconds, times, errors), loader())

        t0 = time.monotonic()
        asyncio.run(main())
        wall = time.monotonic() - t0
        return {"sessions": sessions, "seconds": seconds, "wall_seconds": round(wall, 1),
                "events": events, "pages_viewed": len(times), "errors": len(errors),
                "error_samples": errors[:5], "p50_page_s": _pct(times, 50),
                "p95_page_s": _pct(times, 95),
                "max_page_s": round(max(times), 3) if times else None,
                "load": load, "published_during_soak": bool(load) and
                load.get("returncode") == 0 and load_after + load["seconds"] <= seconds,
                "cpus": os.cpu_count(), "mode": "playwright contexts in one chromium"}
    finally:
        if dash is not None:
            os.killpg(dash.pid, 15)
            dash.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def render(r: dict) -> str:
    lines = [f"soak: {r['sessions']} browser sessions for {r['seconds']:g} s "
             f"({r['mode']}, {r['cpus']} CPUs) while a {r['events']:,}-row load publishes",
             f"  pages viewed {r['pages_viewed']:,}, errors {r['errors']}",
             f"  page time p50 {r['p50_page_s']} s, p95 {r['p95_page_s']} s, "
             f"max {r['max_page_s']} s"]
    ld = r["load"]
    if ld:
        lines.append(f"  load: started at {ld['started_at']:g} s, took {ld['seconds']} s, "
                     f"status {', '.join(ld['status']) or 'none'}"
                     + ("" if r["published_during_soak"] else " (NOT published inside the "
                        "soak window: lengthen --seconds)"))
    lines += [f"  error: {e}" for e in r["error_samples"]]
    return "\n".join(lines)


def cmd_soak(args) -> int:
    """`twinimpact bench --soak [--sessions N] [--seconds S] [--events N]`."""
    if not 1 <= args.sessions <= 50:
        raise UsageError(f"--sessions {args.sessions}: give 1 to 50")
    if not 5 <= args.seconds <= 900:
        raise UsageError(f"--seconds {args.seconds}: give 5 to 900")
    if args.events < 1:
        raise UsageError(f"--events {args.events}: give a positive number of rows")
    r = run(args.sessions, args.seconds, args.events, load_after=min(10, args.seconds / 4))
    print(json.dumps(r) if args.json else render(r))
    return 1 if r["errors"] else 0
