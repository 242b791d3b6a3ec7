"""`twinimpact dashboard`: run Streamlit on the published warehouse.

Which mode it serves is decided here, before Streamlit starts, and said on the first line
(CONTRACT §3, §7): with sign-in configured each visitor's role decides; without it, public
mode on anything but a loopback address unless `--private` asks for the single-user view."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from etl import config
from etl.errors import UserError

APP = Path(__file__).resolve().parent / "app.py"


def command(port: int, address: str) -> list[str]:
    """The Streamlit command line (headless, no usage statistics)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", address, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # readers of the dashboard get no "Deploy" button or developer menu
            "--client.toolbarMode", "viewer",
            # /upload refuses bigger files (TWINIMPACT_MAX_UPLOAD_MB, default 200)
            "--server.maxUploadSize", str(config.max_upload_mb())]


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`: reachable from this machine only."""
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def signin_configured(cwd: Path | None = None) -> bool:
    """What Streamlit will read (dashboard.signin.configured): an [auth] section in
    .streamlit/secrets.toml of the working folder or the home folder. A file that exists but
    cannot be read counts as configured: the app then serves public mode to everyone."""
    for p in ((cwd or Path.cwd()) / ".streamlit" / "secrets.toml",
              Path.home() / ".streamlit" / "secrets.toml"):
        if not p.exists():
            continue
        try:
            if "auth" in tomllib.loads(p.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return True
    return False


def mode(address: str, public_flag: bool, private_flag: bool,
         signin: bool) -> tuple[dict[str, str], str]:
    """(the environment settings for the app, the sentence naming the mode served and why)."""
    k = config.k_threshold()
    if signin:
        return ({"TWINIMPACT_PUBLIC": "0", "TWINIMPACT_PRIVATE": "0"},
                "sign-in mode: .streamlit/secrets.toml has [auth], so each visitor's role "
                f"decides (not signed in or no role: public mode, k={k})")
    if public_flag:
        return ({"TWINIMPACT_PUBLIC": "1", "TWINIMPACT_PRIVATE": "0"},
                f"public mode (k={k}): --public")
    if private_flag:
        return ({"TWINIMPACT_PUBLIC": "0", "TWINIMPACT_PRIVATE": "1"},
                "private mode: --private (every figure and the quarantined rows, to "
                "everyone who can reach this address)")
    if config.public_mode():  # TWINIMPACT_PUBLIC=1
        return ({"TWINIMPACT_PUBLIC": "1", "TWINIMPACT_PRIVATE": "0"},
                f"public mode (k={k}): TWINIMPACT_PUBLIC is set")
    if not is_loopback(address):
        return ({"TWINIMPACT_PUBLIC": "1", "TWINIMPACT_PRIVATE": "0"},
                f"public mode (k={k}): {address} is not a loopback address and no sign-in "
                "is configured (.streamlit/secrets.toml [auth]); pass --private to serve "
                "the private view on purpose")
    return ({"TWINIMPACT_PUBLIC": "0", "TWINIMPACT_PRIVATE": "0"},
            f"private mode: {address} is this machine only and no sign-in is configured "
            "(a visit through a proxy still gets public mode)")


def cmd_dashboard(args) -> int:
    """Serve until interrupted; the warehouse must exist."""
    db = config.db_path(args.db)
    if not db.exists():
        raise UserError(f"no warehouse at {db}; build one with `twinimpact demo` (simulated "
                        "data) or `make run`, or point --db / TWINIMPACT_DB at yours")
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a TCP port (1-65535)")
    address = getattr(args, "address", None) or "127.0.0.1"
    settings, why = mode(address, bool(args.public), bool(getattr(args, "private", False)),
                         signin_configured())
    env = {**os.environ, "TWINIMPACT_DB": str(db), **settings}
    print(f"Twin Impact dashboard on http://{address}:{args.port}, {why}. Warehouse {db}. "
          "Ctrl+C stops it.", flush=True)
    try:
        return subprocess.call(command(args.port, address), env=env)
    except KeyboardInterrupt:
        return 0
