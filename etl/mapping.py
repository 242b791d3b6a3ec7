"""Column mappings: how a real export's columns and values become CONTRACT §1's (`--map`).

A mapping is a small TOML file (README "Load your own data" shows one):

    kind = "booking-crew"              # optional: refuse to apply it to another kind
    ignore = ["Notes"]                 # source columns to leave out (not reported as extra)
    [columns]                          # source column → contract column
    "Booking Ref" = "booking_id"
    [values.status]                    # per contract column: source value → contract value
    "Wrapped" = "completed"
    [formats]                          # per contract column
    shoot_date = "%d/%m/%Y"            # a date (strptime codes)
    day_rate = { decimal = ".", thousands = ",", strip = "£" }   # a number
    [constants]                        # contract columns the file lacks
    currency = "GBP"

Source column names match like contract names: case-insensitively, after trimming spaces and a
byte-order mark. Value-map keys match case-insensitively after trimming. A column with a value
map accepts only the values its map lists: any other non-empty value is quarantined with a
reason naming the map (never passed through or guessed); a date or number not matching its
declared format is quarantined likewise. The loader applies the mapping inside its one
validation pass (etl/validate.py), the same for `load` and `validate`.

No DuckDB here except reading and writing saved mappings (meta.mappings).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.contracts import BOOL_FALSE, BOOL_TRUE, BY_NAME, Kind
from etl.errors import UserError

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
TOP_KEYS = {"kind", "columns", "values", "formats", "constants", "ignore"}
DATE_TYPES = ("date", "date_or_ts")
NUMBER_TYPES = ("decimal", "integer")
TIME_CODES = ("%H", "%I", "%M", "%S", "%p", "%f", "%T", "%X", "%c")


def normalise(name: str) -> str:
    """A column name as the loader compares it (case, spaces and a BOM ignored)."""
    return name.replace("\ufeff", "").strip().lower()


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = "."
    thousands: str = ""
    strip: tuple[str, ...] = ()

    def regex(self) -> str:
        """The full-match pattern a number must have once `strip` is removed and trimmed."""
        d = re.escape(self.decimal)
        whole = (rf"[0-9]{{1,3}}({re.escape(self.thousands)}[0-9]{{3}})+|[0-9]+"
                 if self.thousands else "[0-9]+")
        return rf"[+-]?({whole})({d}[0-9]+)?"

    def describe(self) -> str:
        text = f"decimal {self.decimal!r}"
        if self.thousands:
            text += f", thousands {self.thousands!r}"
        return text


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping for one kind; `text` is kept verbatim for provenance."""

    kind: str
    text: str
    origin: str                    # the file as given, or the saved name
    name: str | None = None        # the saved name it was read from / saved under
    columns: dict[str, str] = field(default_factory=dict)    # normalised source → contract
    sources: dict[str, str] = field(default_factory=dict)    # contract → source as written
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # contract → {lower: v}
    dates: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, NumberFormat] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        """How quarantine reasons and errors name it."""
        return f"mapping {self.name}" if self.name else f"mapping {Path(self.origin).name}"

    def touches(self, column: str) -> bool:
        return column in self.values or column in self.dates or column in self.numbers

    def rename(self, header: list[str]) -> list[str]:
        """The header as the contract sees it: mapped names replaced, ignored ones blanked
        (the loader skips unnamed columns)."""
        out = []
        for name in header:
            key = normalise(name)
            out.append("" if key in self.ignore else self.columns.get(key, name))
        return out

    def absent_sources(self, header: list[str]) -> list[str]:
        """Source columns the mapping names that the file does not have, as written."""
        have = {normalise(h) for h in header}
        return [self.sources[c] for c in self.sources if normalise(self.sources[c]) not in have]


class MappingError(UserError):
    """The mapping itself is wrong (exit 1 before any file is read)."""


def _fail(origin: str, message: str) -> MappingError:
    return MappingError(f"mapping {origin}: {message}")


def parse(text: str, kind: str, origin: str, name: str | None = None) -> Mapping:
    """Parse and check a mapping's TOML against `kind`'s contract; MappingError if wrong."""
    k = BY_NAME[kind]
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(origin, f"not valid TOML ({exc}); see README \"Load your own data\"") from exc
    _hoist_ignore(doc)
    unknown = sorted(set(doc) - TOP_KEYS)
    if unknown:
        raise _fail(origin, f"unknown key {unknown[0]!r}; a mapping has "
                            f"{', '.join(sorted(TOP_KEYS))}")
    if "kind" in doc and doc["kind"] != kind:
        raise _fail(origin, f"is for kind {doc['kind']!r}, not {kind}; "
                            f"load it as `twinimpact load {doc['kind']} …` or use another map")
    names = {c.name for c in k.columns}

    def contract_col(col: object, where: str) -> str:
        if not isinstance(col, str) or col.strip().lower() not in names:
            raise _fail(origin, f"{where}: {col!r} is not a {kind} column (one of "
                                f"{', '.join(c.name for c in k.columns)})")
        return col.strip().lower()

    def table(key: str) -> dict:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            raise _fail(origin, f"[{key}] must be a table")
        return value

    columns: dict[str, str] = {}
    sources: dict[str, str] = {}
    for src, col in table("columns").items():
        target = contract_col(col, f"[columns] {src!r}")
        if normalise(src) in columns:
            raise _fail(origin, f"[columns] names the source column {src!r} twice")
        if target in sources:
            raise _fail(origin, f"[columns] maps both {sources[target]!r} and {src!r} to "
                                f"{target}; keep one")
        columns[normalise(src)] = target
        sources[target] = src
    values: dict[str, dict[str, str]] = {}
    for col, vmap in table("values").items():
        target = contract_col(col, "[values]")
        if not isinstance(vmap, dict) or not vmap:
            raise _fail(origin, f"[values.{col}] must be a table of source value = "
                                "contract value")
        values[target] = _value_map(k, target, vmap, origin)
    dates: dict[str, str] = {}
    numbers: dict[str, NumberFormat] = {}
    for col, fmt in table("formats").items():
        target = contract_col(col, "[formats]")
        ctype = k.column(target).type
        if isinstance(fmt, str):
            if ctype not in DATE_TYPES:
                raise _fail(origin, f"[formats] {target} is a {ctype} column; a date format "
                                    "applies to date columns only")
            if "%" not in fmt or not any(y in fmt for y in ("%Y", "%y")):
                raise _fail(origin, f"[formats] {target} = {fmt!r}: a date format needs a "
                                    "year (%Y or %y), e.g. \"%d/%m/%Y\"")
            dates[target] = fmt
        elif isinstance(fmt, dict):
            if ctype not in NUMBER_TYPES:
                raise _fail(origin, f"[formats] {target} is a {ctype} column; a number "
                                    "format applies to number columns only")
            numbers[target] = _number_format(target, fmt, origin)
        else:
            raise _fail(origin, f"[formats] {target}: a date format string or a number "
                                "format table { decimal, thousands, strip }")
    constants: dict[str, str] = {}
    for col, value in table("constants").items():
        target = contract_col(col, "[constants]")
        if target in sources:
            raise _fail(origin, f"{target} has both a source column ({sources[target]!r}) and "
                                "a constant; keep one")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str | int | float) or isinstance(value, float) and value != value:
            raise _fail(origin, f"[constants] {target} must be a single value")
        constants[target] = str(value).strip()
    ignore = doc.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise _fail(origin, "ignore must be a list of source column names")
    clash = [x for x in ignore if normalise(x) in columns]
    if clash:
        raise _fail(origin, f"{clash[0]!r} is both mapped in [columns] and ignored; keep one")
    return Mapping(kind=kind, text=text, origin=origin, name=name, columns=columns,
                   sources=sources, values=values, dates=dates, numbers=numbers,
                   constants=constants, ignore=frozenset(normalise(x) for x in ignore))


def _hoist_ignore(doc: dict) -> None:
    """`ignore = [...]` written after a [table] header belongs to that table in TOML; no
    contract column is called `ignore`, so a list there is taken as the top-level list."""
    tables = [doc.get(k) for k in ("columns", "formats", "constants")]
    tables += list(doc["values"].values()) if isinstance(doc.get("values"), dict) else []
    for t in tables:
        if isinstance(t, dict) and isinstance(t.get("ignore"), list):
            doc["ignore"] = [*doc.get("ignore", []), *t.pop("ignore")]


def _value_map(k: Kind, col: str, vmap: dict, origin: str) -> dict[str, str]:
    c = k.column(col)
    allowed = None
    if c.vocab and c.type == "enum":
        allowed = set(c.vocab)
    elif c.type == "bool":
        allowed = set(BOOL_TRUE) | set(BOOL_FALSE)
    out: dict[str, str] = {}
    for src, value in vmap.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str | int | float):
            raise _fail(origin, f"[values.{col}] {src!r}: give the contract value as text")
        value = str(value).strip()
        if allowed is not None and value.lower() not in allowed:
            raise _fail(origin, f"[values.{col}] {src!r} = {value!r}: not a {col} value "
                                f"(one of {'|'.join(sorted(allowed))})")
        key = src.strip().lower()
        if key in out and out[key] != value:
            raise _fail(origin, f"[values.{col}] lists {src!r} twice (case is ignored) with "
                                "different values")
        out[key] = value
    return out


def _number_format(col: str, spec: dict, origin: str) -> NumberFormat:
    extra = sorted(set(spec) - {"decimal", "thousands", "strip"})
    if extra:
        raise _fail(origin, f"[formats] {col}: unknown key {extra[0]!r} (decimal, thousands, "
                            "strip)")
    decimal = spec.get("decimal", ".")
    thousands = spec.get("thousands", "")
    strip = spec.get("strip", [])
    strip = [strip] if isinstance(strip, str) else strip
    if decimal not in (".", ","):
        raise _fail(origin, f"[formats] {col}: decimal must be \".\" or \",\"")
    if not isinstance(thousands, str) or len(thousands) > 1 or thousands == decimal \
            or thousands.isdigit():
        raise _fail(origin, f"[formats] {col}: thousands must be one character other than "
                            "the decimal separator and digits (e.g. \",\", \".\", \" \"), or "
                            "\"\" for none")
    if not isinstance(strip, list) or not all(isinstance(s, str) and s for s in strip):
        raise _fail(origin, f"[formats] {col}: strip must be text or a list of texts to "
                            "remove, e.g. \"£\"")
    return NumberFormat(decimal, thousands, tuple(strip))


# --- where a mapping comes from and where it is kept ---------------------------------------

def looks_like_file(value: str) -> bool:
    return value.lower().endswith(".toml") or "/" in value or "\\" in value or \
        Path(value).is_file()


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise MappingError(f"mapping name {name!r}: use 1–64 letters, digits, '.', '_' or '-' "
                           "(starting with a letter or digit)")
    return name


def from_file(path: Path, kind: str, name: str | None = None) -> Mapping:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise MappingError(f"mapping {path}: file not found; check the path, or name a "
                           "mapping saved with --save-map") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping {path}: cannot read it as UTF-8 text ({exc})") from exc
    return parse(text, kind, str(path), name)


def saved(con, name: str, kind: str) -> Mapping | None:
    """The mapping saved as `name` for `kind` in an open warehouse, or None."""
    have = con.execute("select count(*) from duckdb_tables() where database_name = "
                       "current_database() and schema_name = 'meta' and table_name = "
                       "'mappings'").fetchone()[0]
    if not have:
        return None
    row = con.execute("select text from meta.mappings where name = ? and kind = ?",
                      [name, kind]).fetchone()
    return parse(row[0], kind, name, name) if row else None


def resolve(value: str, kind: str, db: Path) -> Mapping:
    """`--map VALUE`: a TOML file, or the name of a mapping saved in the warehouse (read
    only: the warehouse file is never opened for writing here)."""
    if looks_like_file(value):
        return from_file(Path(value), kind)
    check_name(value)
    if Path(db).exists():
        from etl import warehouse
        with warehouse.reader(db) as con:
            found = saved(con, value, kind)
        if found is not None:
            return found
    raise MappingError(f"no mapping named {value!r} for {kind} in {db}; save one with "
                       f"`twinimpact load {kind} FILE --map FILE.toml --save-map {value}`, or "
                       "give a .toml file")


def save(con, mapping: Mapping, name: str) -> None:
    """Keep `mapping` as `name` for its kind (replacing an earlier one) in meta.mappings."""
    con.execute("delete from meta.mappings where name = ? and kind = ?", [name, mapping.kind])
    con.execute("insert into meta.mappings (name, kind, text, sha256, saved_at) "
                "values (?, ?, ?, ?, ?)",
                [name, mapping.kind, mapping.text, mapping.sha256, dt.datetime.now(dt.UTC)])
