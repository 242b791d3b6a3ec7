"""`twinimpact schema --out DIR`: CONTRACT §1 as a Frictionless Data Package.

Generated from etl/contracts.py, the one declaration of the kinds, so the published standard
and the loader cannot drift apart. DIR gets:

- `datapackage.json`: one resource per kind, its data at `<kind>.csv` as `demo` names its
  files, its Table Schema inline (types, required fields, enums, minimum/maximum, patterns,
  primary key, missing values). It holds no foreign keys: CONTRACT §2 accepts files in any
  order and loads a row whose reference is unknown (the marts report it), so any set of files
  the loader accepts passes it — the demo's folder as written included;
- `datapackage-references.json`: the same with the foreign keys between the kinds (a licence's
  and a use's twin, a use's licence, a crew row's booking), to check a complete set, one file
  per kind;
- `schemas/<kind>.json`: each Table Schema alone, to check one file with `--schema`.

What a Table Schema cannot say (a key repeated in a file quarantines all its rows, dates from
2000 to a year after the load, cross-column rules, case-insensitive values, the loader's
defaults) is written in the descriptions. Plain JSON: no frictionless import at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

from etl.contracts import (
    BOOL_FALSE,
    BOOL_TRUE,
    EARLIEST_DATE,
    ID_MAX_LEN,
    KIND_LIST,
    Column,
    Kind,
)
from etl.errors import UserError
from etl.sources.countries import COUNTRIES

# Data Package v2 (exclusiveMinimum, for days > 0, is a v2 constraint)
PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
# our extensions to CONTRACT §1 the loader keeps if given; not part of the standard
EXTENSIONS = {("crew-employment", "source_url"), ("crew-employment", "note")}
# references a load does not check (CONTRACT §2: files arrive in any order) but a complete
# set of files should satisfy: (kind, fields) → (kind, fields)
FOREIGN_KEYS = {
    "licenses": [("twin_id", "twins", "twin_id")],
    "twin-usage": [("twin_id", "twins", "twin_id"), ("license_id", "licenses", "license_id")],
    "booking-crew": [("booking_id", "bookings", "booking_id")],
}
DESCRIPTIONS = {
    "twins": "A digital twin of a model (twin platform export).",
    "licenses": "A consent grant: a model licenses their twin to a brand.",
    "twin-usage": "One use of a twin by a brand: a batch of generated assets.",
    "bookings": "A photo/video shoot booked by a brand (booking system export).",
    "booking-crew": "One person's engagement on a booking.",
    "crew-employment": "Employment and earnings of one role in one area and period "
                       "(union survey or statistics office).",
}
ROW_RULES = (
    "Loader rules beyond this schema (CONTRACT §2): a key that appears more than once in one "
    "file quarantines all its rows; dates must be on or after {earliest} and at most a year "
    "after the day of the load; column names match case-insensitively after trimming spaces "
    "and a byte-order mark, in any order (validate with `frictionless validate "
    "--schema-sync` for another order), and extra columns are ignored; enumerated values "
    "are accepted in any case (the schema lists the canonical lower-case ones); references "
    "to other kinds are not checked at load (files arrive in any order) but are reported by "
    "the marts."
)
CROSS = {
    "licenses": " valid_to, when given, must be on or after valid_from.",
    "crew-employment": " earnings_basis and currency are required when median_earnings or "
                       "mean_earnings is filled.",
    "booking-crew": " An empty fee_total is days × day_rate.",
}
PATTERNS = {
    "date_or_ts": r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                  r"([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)?)?",
    "currency": "[A-Za-z]{3}",
    "period": "[0-9]{4}(-[Qq][1-4]|-(0[1-9]|1[0-2]))?",
    "area": "[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?",
}


def _field(kind: Kind, c: Column) -> dict:
    f: dict = {"name": c.name}
    cons: dict = {}
    notes: list[str] = []
    t = c.type
    if t in ("id", "text"):
        f["type"] = "string"
        if t == "id":
            cons["maxLength"] = ID_MAX_LEN
            notes.append("An identifier, compared exactly after trimming spaces.")
    elif t == "date":
        f["type"] = "date"
        cons["minimum"] = EARLIEST_DATE
        notes.append("ISO 8601 date YYYY-MM-DD.")
    elif t == "date_or_ts":
        f["type"] = "string"
        cons["pattern"] = PATTERNS[t]
        notes.append("A date YYYY-MM-DD or an ISO 8601 timestamp (its date is the day used).")
    elif t in ("decimal", "integer"):
        f["type"] = "number" if t == "decimal" else "integer"
        if c.min is not None:
            cons["exclusiveMinimum" if c.min_exclusive else "minimum"] = (
                int(c.min) if t == "integer" or float(c.min).is_integer() else c.min)
        if c.max is not None:
            cons["maximum"] = int(c.max) if float(c.max).is_integer() else c.max
    elif t == "bool":
        f["type"] = "boolean"
        f["trueValues"] = [v for x in BOOL_TRUE for v in dict.fromkeys((x, x.title(), x.upper()))]
        f["falseValues"] = [v for x in BOOL_FALSE
                            for v in dict.fromkeys((x, x.title(), x.upper()))]
    elif t == "enum":
        f["type"] = "string"
        cons["enum"] = list(c.vocab)
    elif t == "country":
        f["type"] = "string"
        cons["enum"] = list(COUNTRIES)
        notes.append("ISO 3166-1 alpha-2 country code.")
    elif t == "scope_list":
        f["type"] = "string"
        what = "|".join(c.vocab) if c.vocab else "[A-Za-z]{2}"
        item = f"({what})"
        cons["pattern"] = rf"\*|\s*{item}\s*(;\s*{item}\s*)*;?"
        notes.append("`*` (every one) or a ;-separated list of "
                     + ("channels." if c.vocab else "ISO 3166-1 alpha-2 countries."))
    elif t in PATTERNS:
        f["type"] = "string"
        cons["pattern"] = PATTERNS[t]
        notes.append({"currency": "ISO 4217 currency with a European Central Bank reference "
                                  "rate (e.g. EUR, GBP, SEK, USD).",
                      "period": "YYYY, YYYY-Qn or YYYY-MM.",
                      "area": "Country (ISO 3166-1 alpha-2) or ISO 3166-2 subdivision, e.g. "
                              "GB-LND."}[t])
    else:  # a new contract type must be described here before it can be published
        raise ValueError(f"no Table Schema type for contract type {t!r}")
    if not c.nullable and c.default is None:
        cons["required"] = True
    if not c.required:
        notes.append("Optional column" + (f"; empty or absent means {c.default!r}."
                                          if c.default is not None else "; may be empty."))
    if c.min_exclusive and c.min is not None:
        notes.append(f"Must be greater than {c.min:g}.")
    if cons:
        f["constraints"] = cons
    if notes:
        f["description"] = " ".join(notes)
    return f


def table_schema(kind: Kind, foreign: bool = True) -> dict:
    """The kind's Table Schema; `foreign=False` leaves out the foreign keys (a file checked
    alone with `--schema` has no other resources to look them up in)."""
    fields = [_field(kind, c) for c in kind.columns if (kind.name, c.name) not in EXTENSIONS]
    schema: dict = {
        "$schema": SCHEMA_PROFILE,
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(kind.key) if len(kind.key) > 1 else kind.key[0],
    }
    fks = FOREIGN_KEYS.get(kind.name, []) if foreign else []
    if fks:
        schema["foreignKeys"] = [{"fields": f, "reference": {"resource": r, "fields": rf}}
                                 for f, r, rf in fks]
    return schema


def package(references: bool = False) -> dict:
    """datapackage.json (with `references`: datapackage-references.json), each kind's Table
    Schema inline."""
    rules = ROW_RULES.format(earliest=EARLIEST_DATE)
    how = ("This package adds the foreign keys between the kinds: check a complete set, one "
           "file per kind (a kind exported in several files concatenated into one), named "
           "KIND.csv beside it, with `frictionless validate datapackage-references.json`. "
           if references else
           "Check files named KIND.csv beside it with `frictionless validate "
           "datapackage.json`, or one file with `frictionless validate --schema "
           "schemas/KIND.json FILE`; datapackage-references.json adds the foreign keys "
           "between the kinds for a complete set. ")
    pkg = {
        "$schema": PACKAGE_PROFILE,
        "name": "twinimpact-sources" + ("-references" if references else ""),
        "title": "Twin Impact source files (CONTRACT §1)",
        "description": "The files a twin platform, a booking system and a union survey or "
                       "statistics office export for Twin Impact, one resource per kind. "
                       + how + "`twinimpact validate KIND FILE` runs the loader's own "
                       "checks. " + rules,
        "licenses": [{"name": "MIT", "title": "MIT License"}],
        "resources": [
            {"name": k.name, "path": f"{k.name}.csv", "type": "table",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "title": k.name, "description": DESCRIPTIONS[k.name] + CROSS.get(k.name, "")
             + _references(k.name, enforced=references),
             "schema": table_schema(k, foreign=references)}
            for k in KIND_LIST],
    }
    return pkg


def _references(kind: str, enforced: bool) -> str:
    fks = FOREIGN_KEYS.get(kind, [])
    if not fks:
        return ""
    refs = ", ".join(f"{f} → {r}.{rf}" for f, r, rf in fks)
    return (f" References: {refs}" + (" (foreign keys)." if enforced else
                                      " (not enforced here: see datapackage-references.json)."))


def schemas() -> dict[str, dict]:
    """{kind: its Table Schema alone (no foreign keys)}."""
    return {k.name: table_schema(k, foreign=False) for k in KIND_LIST}


def write(out: Path) -> list[Path]:
    """Write the package into `out` (created if missing); return the files written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder")
    try:
        (out / "schemas").mkdir(parents=True, exist_ok=True)
        written = [out / "datapackage.json", out / "datapackage-references.json"]
        for path, refs in zip(written, (False, True), strict=True):
            path.write_text(json.dumps(package(refs), indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        for name, schema in schemas().items():
            path = out / "schemas" / f"{name}.json"
            path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise UserError(f"cannot write to {out} ({exc.strerror}); choose another --out") from exc
    return written


def cmd_schema(args) -> int:
    written = write(Path(args.out))
    print(f"wrote {written[0]}, {written[1].name} (with foreign keys) and "
          f"{len(written) - 2} Table Schemas in {written[0].parent / 'schemas'}")
    return 0
