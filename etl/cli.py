"""The `twinimpact` command line (CONTRACT §3). Parses arguments, then hands over."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from etl import config
from etl.contracts import KINDS
from etl.errors import UsageError, UserError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one `error:` line (exit 2) saying where to look."""

    def error(self, message: str):
        self.exit(2, f"error: {message}; see `{self.prog} --help`\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="twinimpact",
        description="Load twin-usage, booking and crew-employment data; measure displacement.",
        epilog="Files are kept in data/ of the current folder when it is a Twin Impact "
               "checkout, otherwise in the user's data folder; here: "
               f"{config.DATA_DIR}. --db or TWINIMPACT_DB chooses another warehouse.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help_: str, db_help: str = "warehouse file (default: $TWINIMPACT_DB, "
            f"else {config.DATA_DIR / 'warehouse.duckdb'})") -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--db", metavar="PATH", help=db_help)
        return sp

    sp = cmd("demo", "build the simulated industry, write its source files and load them")
    sp.add_argument("--seed", type=int, default=42)
    sp.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    sp.add_argument("--out", metavar="DIR",
                    help=f"where to write the files (default {config.DEMO_DIR})")
    sp.add_argument("--dirty", action="store_true", help="inject realistic bad rows")
    sp.add_argument("--noise", choices=["default", "low"], default="default",
                    help="default: as rough as real exports; low: the old smooth world")
    sp.add_argument("--json", action="store_true", help="print the load results as JSON lines")

    sp = cmd("load", "load source files of one KIND into the warehouse")
    sp.add_argument("kind", metavar="KIND", choices=KINDS, help=" | ".join(KINDS))
    sp.add_argument("files", metavar="FILE", nargs="+")
    sp.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    sp.add_argument("--encoding", help="text encoding of CSV/TSV files (default utf-8)")
    sp.add_argument("--decimal", choices=[".", ","], default=".", help="decimal separator")
    sp.add_argument("--covers", metavar="YYYY-MM..YYYY-MM",
                    help="bookings only: the months the file covers (default: its earliest "
                         "to latest shoot_date)")
    sp.add_argument("--currency", default=None,
                    help="reporting currency, ISO 4217 (default EUR, or the warehouse's)")
    _map_options(sp, save=True)

    sp = cmd("validate", "check files of one KIND exactly as `load` would, touching no "
             "warehouse (exit 0 clean, 1 rows would be quarantined, 2 a file would be "
             "rejected)", db_help="warehouse whose rows the counts are taken against, with "
             "its reporting currency and saved mappings (opened read-only; never written)")
    sp.add_argument("kind", metavar="KIND", choices=KINDS, help=" | ".join(KINDS))
    sp.add_argument("files", metavar="FILE", nargs="+")
    sp.add_argument("--json", action="store_true",
                    help="one JSON object per file on stdout, with every quarantine reason")
    sp.add_argument("--encoding", help="text encoding of CSV/TSV files (default utf-8)")
    sp.add_argument("--decimal", choices=[".", ","], default=".", help="decimal separator")
    sp.add_argument("--currency", default=None, help="reporting currency, ISO 4217")
    _map_options(sp, save=False)

    sp = cmd("map", "column mappings for real exports (see README: Load your own data)")
    msub = sp.add_subparsers(dest="map_command", required=True, metavar="ACTION")
    ms = msub.add_parser("suggest", help="print a TOML mapping proposal for FILE, to edit",
                         description="print a TOML mapping proposal (from header similarity "
                         "and sample values) for a person to edit, then pass with --map")
    ms.add_argument("kind", metavar="KIND", choices=KINDS, help=" | ".join(KINDS))
    ms.add_argument("file", metavar="FILE")
    ms.add_argument("--encoding", help="text encoding of CSV/TSV files (default utf-8)")

    sp = cmd("schema", "write the source kinds (CONTRACT §1) as a Frictionless Data Package "
             "(datapackage.json + one Table Schema per kind)")
    sp.add_argument("--out", required=True, metavar="DIR")

    sp = cmd("status", "what the warehouse holds and every load attempt")
    sp.add_argument("--json", action="store_true")

    sp = cmd("quarantine", "list or export quarantined rows")
    sp.add_argument("--kind", choices=[*KINDS, "image-checks"])
    sp.add_argument("--out", metavar="FILE.csv")
    sp.add_argument("--json", action="store_true",
                    help="one JSON object per row on stdout (with --out: one for the file)")

    sp = cmd("fetch-bls", "fetch OEWS figures from the BLS Public Data API (key: BLS_API_KEY)")
    sp.add_argument("--from", dest="from_year", type=int, default=2019, metavar="YEAR")
    sp.add_argument("--to", dest="to_year", type=int, default=2024, metavar="YEAR")
    sp.add_argument("--json", action="store_true",
                    help="the fetch and its load result as one JSON object")

    sp = cmd("fetch-nomis", "fetch UK employment by SOC 2020 and employment type "
             "(employees, self-employed) from the Nomis API (Annual Population Survey, "
             "NM_218_1) and load it as crew-employment rows")
    sp.add_argument("--from", dest="from_year", type=int, default=2021, metavar="YEAR")
    sp.add_argument("--to", dest="to_year", type=int, default=2024, metavar="YEAR")
    sp.add_argument("--json", action="store_true",
                    help="the fetch and its load result as one JSON object")

    sp = cmd("report", "write one brand's workforce-impact report for a reporting year "
                       "(self-contained HTML, or an A4 PDF)")
    sp.add_argument("--brand", required=True, metavar="BRAND_ID")
    sp.add_argument("--year", type=int, metavar="YYYY",
                    help="reporting year (default: the last complete calendar year in the data)")
    sp.add_argument("--from", dest="from_month", metavar="YYYY-MM")
    sp.add_argument("--to", dest="to_month", metavar="YYYY-MM")
    sp.add_argument("--out", required=True, metavar="FILE.html|FILE.pdf")

    sp = cmd("chart", "write one dashboard chart as an image (always public)")
    sp.add_argument("key", nargs="?", metavar="KEY", help="chart key (see --list)")
    sp.add_argument("--list", action="store_true", help="print every chart key with its title")
    sp.add_argument("--from", dest="from_month", metavar="YYYY-MM")
    sp.add_argument("--to", dest="to_month", metavar="YYYY-MM")
    for name in ("brand", "channel", "role", "region"):
        sp.add_argument(f"--{name}", metavar="A,B", help=f"{name} filter (comma-separated)")
    sp.add_argument("--out", metavar="FILE.png|FILE.svg")

    sp = cmd("dashboard", "serve the dashboard on 127.0.0.1 (this machine only) unless "
             "--address says otherwise")
    sp.add_argument("--port", type=int, default=8501)
    which = sp.add_mutually_exclusive_group()
    which.add_argument("--public", action="store_true",
                       help="public mode: suppress cells of fewer than k people (TWINIMPACT_K, "
                       "5); it does not change the address")
    which.add_argument("--private", action="store_true",
                       help="the private single-user view (every figure, quarantined rows) "
                       "even on a non-loopback address without sign-in; without it such an "
                       "address serves public mode")
    sp.add_argument("--address", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this machine only; "
                    "0.0.0.0: every network interface, public mode unless sign-in is "
                    "configured or --private is given)")

    sp = cmd("bench", "measure load, marts and dashboard speed beside bare DuckDB, on a "
             "simulated warehouse of all six kinds",
             db_help="bench works in a bench/ folder beside this warehouse path (default "
             "data/bench) and never opens the warehouse itself")
    sp.add_argument("--events", type=int, default=1_000_000,
                    help="twin-usage rows loaded into the simulated world beside the floor "
                    "(default 1,000,000; world scale small up to 50,000, medium up to "
                    "1,000,000, else large)")
    sp.add_argument("--repeat", type=int, default=3,
                    help="how many times floor and load alternate (default 3; medians reported)")
    sp.add_argument("--estimators", action="store_true",
                    help="score the displacement estimator against the simulator's truth")
    sp.add_argument("--seeds", type=int, default=20, help="with --estimators: worlds (default 20)")
    sp.add_argument("--first-seed", type=int, default=1,
                    help="with --estimators: the first world's seed (default 1: seeds 1..N)")
    sp.add_argument("--scale", choices=["small", "medium", "large"], default="small",
                    help="with --estimators: world size (default small)")
    sp.add_argument("--world", default=None,
                    help="with --estimators: a world built to break the estimator ([worlds] in "
                         "data/reference/simulation.toml: ar1, few_controls, same_month, "
                         "gap_month, controls_end, anticipation); default: the default world")
    sp.add_argument("--large-demo", action="store_true",
                    help="marts rebuild and page queries on the large demo (all six kinds)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--soak", action="store_true",
                    help="instead: N browser sessions page through the dashboard on 127.0.0.1 "
                         "while an --events-row load publishes; reports errors and p50/p95 "
                         "page time")
    sp.add_argument("--sessions", type=int, default=20, help="--soak: browser sessions (20)")
    sp.add_argument("--seconds", type=float, default=120, help="--soak: how long (120 s)")
    sp = cmd("scan-images", "read images' content credentials (C2PA) and AI labels (IPTC) "
             "into the warehouse")
    sp.add_argument("paths", metavar="PATH", nargs="+",
                    help="image files, or folders to scan recursively (JPEG, PNG, WebP, "
                         "AVIF, HEIC)")
    sp.add_argument("--brand", metavar="ID", help="the brand every image belongs to")
    sp.add_argument("--map", metavar="FILE.csv",
                    help="CSV linking images (column file or sha256) to usage_id, twin_id, "
                         "brand_id")
    sp.add_argument("--trust", metavar="ANCHORS.pem",
                    help="trust anchors (PEM); without them no signer is trusted")
    sp.add_argument("--json", action="store_true", help="one JSON object per image on stdout")
    return p


def _map_options(sp: argparse.ArgumentParser, save: bool) -> None:
    sp.add_argument("--map", metavar="FILE.toml|NAME",
                    help="a column mapping (TOML), or the name of one saved with --save-map")
    if save:
        sp.add_argument("--save-map", metavar="NAME",
                        help="keep the --map mapping in the warehouse under NAME")


# command → "module:function"; imported on use so `twinimpact load` never imports streamlit.
HANDLERS = {
    "demo": "etl.simulate:cmd_demo",
    "load": "etl.load:cmd_load",
    "status": "etl.status:cmd_status",
    "quarantine": "etl.status:cmd_quarantine",
    "fetch-bls": "etl.bls:cmd_fetch_bls",
    "validate": "etl.preflight:cmd_validate",
    "map": "etl.suggest:cmd_map",
    "schema": "etl.schema:cmd_schema",
    "fetch-nomis": "etl.nomis:cmd_fetch_nomis",
    "report": "dashboard.report:cmd_report",
    "chart": "dashboard.figures:cmd_chart",
    "dashboard": "dashboard.serve:cmd_dashboard",
    "bench": "etl.bench:cmd_bench",
    "scan-images": "etl.scan_images:cmd_scan_images",
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module, func = HANDLERS[args.command].split(":")
    try:
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("error: interrupted; the warehouse is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 — no traceback reaches the user
        if os.environ.get("TWINIMPACT_DEBUG"):
            raise
        one_line = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"error: internal error ({one_line}); the warehouse is unchanged. "
              "Rerun with TWINIMPACT_DEBUG=1 for details and report it.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
