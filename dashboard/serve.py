"""`twinimpact dashboard`: run Streamlit on the published warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
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


def cmd_dashboard(args) -> int:
    """Serve until interrupted; the warehouse must exist."""
    db = config.db_path(args.db)
    if not db.exists():
        raise UserError(f"no warehouse at {db}; build one with `twinimpact demo` (simulated "
                        "data) or `make run`, or point --db / TWINIMPACT_DB at yours")
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a TCP port (1-65535)")
    public = config.public_mode(args.public)
    env = {**os.environ, "TWINIMPACT_DB": str(db), "TWINIMPACT_PUBLIC": "1" if public else "0"}
    address = getattr(args, "address", None) or "127.0.0.1"
    print(f"Twin Impact dashboard on http://{address}:{args.port} "
          f"({'public mode, k=' + str(config.k_threshold()) if public else 'private mode'}; "
          f"warehouse {db}). Ctrl+C stops it.", flush=True)
    try:
        return subprocess.call(command(args.port, address), env=env)
    except KeyboardInterrupt:
        return 0
