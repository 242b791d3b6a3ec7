# ruff: noqa: S608 — this module generates SQL from our own identifiers; file values are bound.
"""Generate the one set-based validation pass from the contract declarations.

`validation_sql` turns a Kind (etl/contracts.py) and the file's column mapping into a single
SELECT over the source (DuckDB's CSV reader, or temp._src) that yields, per row, the columns
of a landing table shaped like the raw table: the typed contract columns, derived columns
(used_at, period_start/end), the first broken rule (`_reason`, naming the column and the
rule) and, for rejected rows only, the raw values as JSON. The pass is a pure projection, so
it runs in parallel and keeps file order. Two set-based follow-ups need the whole file and
run on the landing table: repeated keys (mark_duplicates) and the money conversion at the ECB
rate, which also quarantines rows with no rate (convert_money). Identifiers and messages come
from our code; every value from a file stays in the data, and our own values (vocabularies,
dates) are bound as `$name` parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from etl.contracts import (
    BOOL_FALSE,
    BOOL_TRUE,
    EARLIEST_DATE,
    ID_MAX_LEN,
    Column,
    Kind,
)
from etl.mapping import TIME_CODES, Mapping
from etl.sources.countries import COUNTRIES

# Stored SQL types that differ from the defaults below (etl/sql/raw/tables.sql).
SQL_TYPES = {
    ("bookings", "days"): "decimal(6, 2)",
    ("booking-crew", "days"): "decimal(6, 2)",
    ("crew-employment", "hours_worked"): "decimal(18, 2)",
    ("crew-employment", "employed"): "bigint",
}
DEFAULT_TYPES = {"decimal": "decimal(18, 4)", "integer": "integer"}


def lit(text: str) -> str:
    """A SQL string literal for text from our own code (never for file values)."""
    return "'" + text.replace("'", "''") + "'"


def _trimmed(src: str, trim: bool = True) -> str:
    """nullif(trim(src), ''), calling trim only for values it could change.

    trim copies every value (measured ~3x the cost of the guard on 2M rows); it removes
    Unicode space separators, so any non-ASCII value (byte length ≠ character count) is
    trimmed too. With trim=False (the file's bytes hold no space and no non-ASCII byte, so no
    value can start or end with one) even the guard is left out.
    """
    if not trim:
        return f"nullif({src}, '')"
    return (f"case when {src} like ' %' or {src} like '% ' or strlen({src}) <> length({src}) "
            f"then nullif(trim({src}), '') else nullif({src}, '') end")


def _got(v: str) -> str:
    return f" || ', got ''' || left({v}, 60) || ''''"


@dataclass
class Plan:
    """Generated SQL plus its bound parameters and the stored columns it produces."""

    sql: str                              # SELECT yielding the landing table's columns
    params: dict = field(default_factory=dict)
    contract: list[str] = field(default_factory=list)  # stored values compared on reload
    raw_json: str = "'{}'"                # the raw-values JSON over the source columns
    raw_params: dict = field(default_factory=dict)


class _Gen:
    def __init__(self, kind: Kind, mapping: dict[str, str | None], decimal_comma: bool,
                 trim: bool = True, nested_keys: dict[str, str] | None = None,
                 transform: Mapping | None = None):
        self.kind = kind
        self.transform = transform  # a --map mapping's value maps, formats and constants
        self.nested_keys = nested_keys  # JSON lines: contract column → its key in the file
        self.trim = trim
        self.mapping = mapping
        self.decimal_comma = decimal_comma
        self.params: dict = {}
        self.norm: list[str] = []     # v_<col>: trimmed text (default applied)
        self.typed: list[str] = []    # t_<col>: typed value
        self.checks: list[str] = []   # `when <broken> then <message>` in column order
        # the same conditions, each with its value-free form `column: rule` (no values, no
        # keys): what a reason may show outside the local single-user mode (CONTRACT §6)
        self.rules: list[str] = []

    def check(self, broken: str, message: str, rule: str) -> None:
        """A rule: `message` (SQL, may quote the value) and `rule` (our own text, no value)."""
        self.checks.append(f"when {broken} then {message}")
        self.rules.append(f"when {broken} then {lit(rule)}")

    def param(self, name: str, value) -> str:
        self.params[name] = value
        return f"${name}"

    def country_re(self) -> str:
        # one bound regex alternation: RE2 matches it in one pass, where list_contains
        # compares against all 249 codes (measured 6x cheaper per row)
        return self.param("country_re", "|".join(COUNTRIES))

    def sql_type(self, c: Column) -> str:
        return SQL_TYPES.get((self.kind.name, c.name), DEFAULT_TYPES.get(c.type, "varchar"))

    def column(self, c: Column) -> None:
        src = self.mapping.get(c.name)
        raw = _trimmed(src, self.trim) if src else "cast(null as varchar)"
        v, t, n = f"v_{c.name}", f"t_{c.name}", c.name
        m = self.transform
        if m is not None and n in m.constants and not src:
            raw = f"nullif({self.param(f'const_{n}', m.constants[n])}, '')"
        elif m is not None and m.touches(n):
            self.norm.append(f"{raw} as m_{n}")
            raw = self._mapped(c, f"m_{n}")
        if c.default is not None:
            raw = f"coalesce({raw}, {lit(c.default)})"
        self.norm.append(f"{raw} as {v}")
        if self.nested_keys and c.name in self.nested_keys:
            # JSON lines: _nested lists the row's keys whose value is a list or an object
            key = self.param(f"nested_{c.name}", self.nested_keys[c.name])
            self._expect(f"list_contains(_nested, {key})", n,
                         "a JSON list or object, not a single value", v)
        if not c.nullable and c.default is None:
            self.check(f"{v} is null", lit(n + ": required, got empty"), n + ": required")
        getattr(self, "_" + c.type)(c, v, t, n)

    def _mapped(self, c: Column, m: str) -> str:
        """`m` (the trimmed source value) through the mapping's value map, then its date or
        number format; a value either does not cover is quarantined naming the map (these
        checks come before the column's own, so the reason names the mapping)."""
        tf, n = self.transform, c.name
        label = self.param("map_label", tf.label)
        expr = m
        if n in tf.values:
            keys = self.param(f"map_keys_{n}", list(tf.values[n]))
            vals = self.param(f"map_vals_{n}", list(tf.values[n].values()))
            pos = f"list_position({keys}, lower({m}))"
            self.check(
                f"{m} is not null and {pos} is null",
                f"{lit(n + ': not in [values.' + n)} || '] of ' || {label} || "
                f"'; add it to that map'{_got(m)}",
                f"{n}: not in [values.{n}] of the mapping")
            expr = f"({vals})[{pos}]"
        if n in tf.dates:
            fmt = self.param(f"map_date_{n}", tf.dates[n])
            out = ("%Y-%m-%dT%H:%M:%S" if any(x in tf.dates[n] for x in TIME_CODES)
                   else "%Y-%m-%d")
            self.check(
                f"{expr} is not null and try_strptime({expr}, {fmt}) is null",
                f"{lit(n + ': does not match the date format ')} || {fmt} || ' of ' || "
                f"{label}{_got(m)}",
                f"{n}: does not match the mapping's date format")
            expr = f"strftime(try_strptime({expr}, {fmt}), {lit(out)})"
        if n in tf.numbers:
            nf = tf.numbers[n]
            for i, s in enumerate(nf.strip):
                expr = f"replace({expr}, {self.param(f'map_strip_{n}_{i}', s)}, '')"
            expr = f"trim({expr})"
            pattern = self.param(f"map_num_{n}", nf.regex())
            self.check(
                f"{m} is not null and not regexp_full_match({expr}, {pattern})",
                f"{lit(n + ': does not match the number format (' + nf.describe() + ') of ')}"
                f" || {label}{_got(m)}",
                f"{n}: does not match the mapping's number format")
            if nf.thousands:
                expr = f"replace({expr}, {self.param(f'map_thousands_{n}', nf.thousands)}, '')"
            if nf.decimal != ".":
                expr = f"replace({expr}, {self.param(f'map_decimal_{n}', nf.decimal)}, '.')"
        return expr

    def _formatted(self, n: str) -> bool:
        """Whether the mapping gives column `n` a number format (then --decimal , is moot)."""
        return self.transform is not None and n in self.transform.numbers

    def _expect(self, broken: str, n: str, rule: str, v: str) -> None:
        self.check(broken, f"{lit(n + ': ' + rule)}{_got(v)}", f"{n}: {rule}")

    def _id(self, c, v, t, n):
        self.typed.append(f"{v} as {t}")
        self._expect(f"length({v}) > {ID_MAX_LEN}", n,
                     f"must be at most {ID_MAX_LEN} characters", v)

    def _text(self, c, v, t, n):
        self.typed.append(f"{v} as {t}")

    def _date_expr(self, v: str) -> str:
        # strict YYYY-MM-DD: DuckDB's cast alone would also take 2024-1-5 (the LIKE is exactly
        # "10 characters with - at 5 and 8", cheaper than extracting both characters)
        return f"case when {v} like '____-__-__' then try_cast({v} as date) end"

    def _date_range(self, t: str, n: str, v: str, future: bool = True) -> None:
        self._expect(f"{t} < $earliest", n, f"must be on or after {EARLIEST_DATE}", v)
        if future:
            self._expect(f"{t} > $latest", n,
                         "must not be more than a year after the load date", v)

    def _date(self, c, v, t, n):
        self.typed.append(f"{self._date_expr(v)} as {t}")
        self._expect(f"{v} is not null and {t} is null", n, "not a date YYYY-MM-DD", v)
        # a licence may legitimately run for years: valid_to has no "a year ahead" bound
        self._date_range(t, n, v, future=n != "valid_to")

    def _date_or_ts(self, c, v, t, n):
        ts = (f"case when length({v}) > 10 and {v}[11] in ('T', ' ') then "
              f"case when regexp_matches({v}, '([zZ]|[+-][0-9][0-9](:?[0-9][0-9])?)$') "
              f"then timezone('UTC', try_cast({v} as timestamptz)) "
              f"else try_cast({v} as timestamp) end end")
        self.typed.append(f"{ts} as {n}_at_")
        self.typed.append(
            f"case when {v} like '____-__-__' then try_cast({v} as date) "
            f"when {n}_at_ is not null then {self._date_expr(f'left({v}, 10)')} end as {t}")
        self._expect(f"{v} is not null and {t} is null", n,
                     "not a date YYYY-MM-DD or an ISO timestamp", v)
        self._date_range(t, n, v)

    def _number(self, v: str) -> str:
        if self.decimal_comma and not self._formatted(v[2:]):  # 1.234,50 → 1234.50
            return f"replace(replace({v}, '.', ''), ',', '.')"
        return v

    def _bounds(self, c: Column, t: str, n: str, v: str) -> None:
        lo = hi = None
        if c.min is not None:
            lo = f"{'>' if c.min_exclusive else '≥'} {c.min:g}"
        if c.max is not None:
            hi = f"≤ {c.max:g}"
        rule = "must be " + " and ".join(x for x in (lo, hi) if x)
        broken = []
        if c.min is not None:
            broken.append(f"{t} {'<=' if c.min_exclusive else '<'} {c.min!r}")
        if c.max is not None:
            broken.append(f"{t} > {c.max!r}")
        if broken:
            self._expect(" or ".join(broken), n, rule, v)

    def _thousands(self, v: str, n: str) -> None:
        """With --decimal , a `.` may only separate thousands: never rescale 450.50 (§2)."""
        if self.decimal_comma and not self._formatted(n):  # regex only on values with a dot
            self._expect(f"{v} like '%.%' and not regexp_full_match({v}, $thousands_re)", n,
                         "with --decimal , a '.' may only separate thousands "
                         "(groups of three digits, as in 1.234,50)", v)
            self.param("thousands_re", r"[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?")

    def _decimal(self, c, v, t, n):
        self.typed.append(f"try_cast({self._number(v)} as {self.sql_type(c)}) as {t}")
        self._thousands(v, n)
        self._expect(f"{v} is not null and {t} is null", n, "not a number", v)
        self._bounds(c, t, n, v)

    def _integer(self, c, v, t, n):
        d = f"try_cast({self._number(v)} as double)"
        self.typed.append(
            f"case when {d} = trunc({d}) and abs({d}) < 1e15 "
            f"then cast({d} as {self.sql_type(c)}) end as {t}")
        self._thousands(v, n)
        self._expect(f"{v} is not null and {t} is null", n, "not a whole number", v)
        self._bounds(c, t, n, v)

    def _bool(self, c, v, t, n):
        yes, no = self.param("bool_true", list(BOOL_TRUE)), self.param("bool_false",
                                                                       list(BOOL_FALSE))
        # the two spellings exports use most are compared first: lower() copies every value
        self.typed.append(f"case when {v} = $bool_t then true when {v} = $bool_f then false "
                          f"when list_contains({yes}, lower({v})) then true "
                          f"when list_contains({no}, lower({v})) then false end as {t}")
        self.param("bool_t", "true")
        self.param("bool_f", "false")
        self._expect(f"{v} is not null and {t} is null", n,
                     "not a boolean (true/false/yes/no/1/0)", v)

    def _enum(self, c, v, t, n):
        vocab = self.param(f"vocab_{n}", list(c.vocab))
        self.typed.append(f"lower({v}) as {t}")
        self._expect(f"{v} is not null and not list_contains({vocab}, {t})", n,
                     "must be one of " + "|".join(c.vocab), v)

    def _country(self, c, v, t, n):
        self.typed.append(f"upper({v}) as {t}")
        self._expect(f"{v} is not null and not regexp_full_match({t}, {self.country_re()})", n,
                     "not an ISO 3166-1 alpha-2 country code", v)

    def _currency(self, c, v, t, n):
        self.typed.append(f"upper({v}) as {t}")
        self._expect(f"{v} is not null and not regexp_full_match({t}, $currency_re)",
                     n, "not an ISO 4217 currency with a European Central Bank reference rate",
                     v)

    def _scope_list(self, c, v, t, n):
        if n == "regions":
            items = f"list_transform(string_split({v}, ';'), lambda x: upper(trim(x)))"
            bad = f"not list_contains({self.param('countries', list(COUNTRIES))}, x)"
            what = "an ISO 3166-1 alpha-2 country code"
        else:
            items = f"list_transform(string_split({v}, ';'), lambda x: lower(trim(x)))"
            bad = f"not list_contains({self.param(f'vocab_{n}', list(c.vocab))}, x)"
            what = "one of " + "|".join(c.vocab)
        self.typed.append(f"case when trim({v}) = '*' then ['*'] else "
                          f"list_filter({items}, lambda x: x <> '') end as {t}")
        self.typed.append(f"case when trim({v}) = '*' then null else "
                          f"list_filter({t}, lambda x: {bad} or x = '*') end as {n}_bad_")
        self._expect(f"len({t}) = 0", n, "must be * or a ;-separated list", v)
        self.check(f"len({n}_bad_) > 0",
                   f"{lit(n + ': ')} || left({n}_bad_[1], 60) || "
                   f"{lit(' is not ' + what + ' (or * alone)')}{_got(v)}",
                   f"{n}: each item must be {what} (or * alone)")

    def _period(self, c, v, t, n):
        p = f"upper({v})"
        start = (
            f"case when regexp_full_match({p}, '[0-9]{{4}}') then try_cast({p} || '-01-01' as date) "
            f"when regexp_full_match({p}, '[0-9]{{4}}-Q[1-4]') then make_date("
            f"cast(left({p}, 4) as integer), 3 * cast(right({p}, 1) as integer) - 2, 1) "
            f"when regexp_full_match({p}, '[0-9]{{4}}-[0-9]{{2}}') then "
            f"try_cast({p} || '-01' as date) end")
        months = (f"case when length({p}) = 4 then 12 when {p}[6] = 'Q' then 3 else 1 end")
        self.typed.append(f"{p} as {t}")
        self.typed.append(f"{start} as period_start_")
        self.typed.append(f"cast(period_start_ + to_months({months}) - interval 1 day as date)"
                          f" as period_end_")
        self._expect(f"{v} is not null and period_start_ is null", n,
                     "not a period YYYY, YYYY-Qn or YYYY-MM", v)
        self._date_range("period_start_", n, v)

    def _area(self, c, v, t, n):
        self.typed.append(f"upper({v}) as {t}")
        self._expect(
            f"{v} is not null and not (regexp_full_match({t}, '[A-Z]{{2}}(-[A-Z0-9]{{1,3}})?')"
            f" and regexp_full_match(left({t}, 2), {self.country_re()}))", n,
            "not a country code or ISO 3166-2 subdivision like GB-LND", v)


def validation_sql(kind: Kind, mapping: dict[str, str | None], source: str,
                   line_expr: str | None, source_columns: list[str], source_names: list[str], *,
                   landing: list[tuple[str, str, bool]], load_id: int, decimal_comma: bool,
                   trim: bool, today: dt.date, currencies: list[str] = (),
                   nested_keys: dict[str, str] | None = None,
                   transform: Mapping | None = None) -> Plan:
    """The single SELECT validating `source` for `kind` (see module docstring).

    It yields the landing table's columns in order: `landing` is the raw table's
    (name, type, not null) list; then _reason and _raw. A bad row's NOT NULL columns get a
    placeholder (the row never reaches raw), and so do every row's converted money and, for
    CSV, its line until convert_money and the line update fill them. `source` is temp._src
    or a read_csv(...) call; with no `line_expr` the line is the landing row's rowid + 2.
    With `nested_keys` (JSON lines), the source's `_nested` lists each row's keys whose value
    is a list or object, and a contract column holding one is a broken rule.
    """
    g = _Gen(kind, mapping, decimal_comma, trim, nested_keys, transform)
    g.param("currency_re", "|".join(re.escape(c) for c in currencies) or "[^\\s\\S]")
    for c in kind.columns:
        g.column(c)
    g.param("earliest", dt.date.fromisoformat(EARLIEST_DATE))
    g.param("latest", _one_year_after(today))
    g.param("load_id", load_id)

    # Cross-column rules, checked after each column's own rules.
    if kind.name == "licenses":
        g.check("t_valid_to < t_valid_from", "'valid_to: must be on or after valid_from, got "
                "''' || v_valid_to || ''' < ''' || v_valid_from || ''''",
                "valid_to: must be on or after valid_from")
    if kind.name == "crew-employment":
        filled = "(t_median_earnings is not null or t_mean_earnings is not null)"
        for col in ("earnings_basis", "currency"):
            text = f"{col}: required when median_earnings or mean_earnings is filled"
            g.check(f"{filled} and t_{col} is null", lit(text), text)

    # Contract values by stored column name.
    exprs: dict[str, str] = {}
    for c in kind.columns:
        exprs[c.name] = f"t_{c.name}"
        if c.type == "date_or_ts":
            exprs[f"{c.name[:-3]}_at" if c.name.endswith("_on") else f"{c.name}_at"] = (
                f"{c.name}_at_")
        if c.type == "period":
            exprs.update(period_start="period_start_", period_end="period_end_")
    if kind.name == "booking-crew":  # empty fee_total = days × day_rate
        exprs["fee_total"] = "coalesce(t_fee_total, cast(t_days * t_day_rate as decimal(18, 4)))"
    fillers = {f"{m}_rep": "0" for m in kind.money}
    if kind.money:
        fillers.update(fx_rate="0", fx_date=f"date {lit(FX_PENDING)}")
    fillers.update(_load_id="$load_id", _line="_line_" if line_expr else "0")
    outputs = []
    for name, sql_type, not_null in landing:
        if name in exprs:
            e = exprs[name]
            e = f"coalesce({e}, {_placeholder(sql_type)})" if not_null else e
        elif name in fillers:
            e = fillers[name]
        else:
            raise ValueError(f"raw.{kind.table}.{name} has no source in the contract")
        outputs.append(f"{e} as {name}")

    reason = "case " + " ".join(g.checks) + " end"
    rule = "case " + " ".join(g.rules) + " end"
    raw_json = ("json_object(" + ", ".join(
        f"{g.param(f'name{i}', name)}, {col}" for i, (col, name) in
        enumerate(zip(source_columns, source_names, strict=True))) + ")"
        if source_columns else "'{}'")
    src_cols = "".join(f", {c}" for c in source_columns)
    line_col = f"{line_expr} as _line_, " if line_expr else ""
    nested_col = ", _nested" if nested_keys else ""
    # Nested subqueries, not CTEs: each level is a projection over one scan of the source.
    sql = f"""
select {', '.join(outputs)}, _reason,
       case when _reason is not null then {raw_json} end as _raw,
       case when _reason is not null then {rule} end as _rule
from (
    select n.*, {reason} as _reason
    from (
        select *, {', '.join(g.typed)}
        from (select {line_col}{', '.join(g.norm)}{src_cols}{nested_col} from {source})
    ) n
)
"""

    def used(text: str) -> dict:
        return {k: v for k, v in g.params.items() if re.search(rf"\${k}\b", text)}

    contract = [n for n, _, _ in landing if n in exprs]
    return Plan(sql=sql, params=used(sql), contract=contract, raw_json=raw_json,
                raw_params=used(raw_json))


FX_PENDING = "0001-01-01"  # fx_date until convert_money fills it (no ECB fixing is this old)


def _placeholder(sql_type: str) -> str:
    """A value of `sql_type` for a bad row's NOT NULL column (the row is quarantined)."""
    t = sql_type.upper()
    if t.endswith("[]"):
        return f"cast([] as {t})"
    if t in ("VARCHAR", "JSON"):
        return "''"
    if t == "BOOLEAN":
        return "false"
    if t == "DATE":
        return f"date {lit(FX_PENDING)}"
    if t.startswith("TIMESTAMP"):
        return f"cast({lit(FX_PENDING)} as {t})"
    return f"cast(0 as {t})"


EMPTY = "''"  # SQL for the empty string


def mark_duplicates(con, kind: Kind, land: str) -> None:
    """Quarantine every row of a key that appears more than once in the file (§2)."""
    keys = ", ".join(kind.key)
    # every row with the key counts, bad ones too (the file does not say which is right);
    # '' is the placeholder of a missing key (keys are text), which is no key at all
    con.execute(
        f"create or replace temp table _dups as select {keys}, count(*) as dup_n "
        f"from {land} where {' and '.join(f'{k} <> {EMPTY}' for k in kind.key)} "
        "group by all having count(*) > 1")
    if not con.execute("select count(*) from _dups").fetchone()[0]:
        return
    if len(kind.key) == 1:
        shown = f"'{kind.key[0]}: key ''' || d.{kind.key[0]} || ''''"
    else:
        shown = ("'key (" + keys + ") = (' || concat_ws(', ', " + ", ".join(
            f"'''' || d.{k} || ''''" for k in kind.key) + ") || ')'")
    on = " and ".join(f"l.{k} = d.{k}" for k in kind.key)
    rule = lit(f"{keys}: a key appears more than once in this file")
    con.execute(f"update {land} l set _reason = {shown} || ' appears ' || d.dup_n || "
                f"' times in this file; all its rows are quarantined', _rule = {rule} "
                f"from _dups d where {on}")


def convert_money(con, kind: Kind, land: str, reporting: str, set_line: bool = False) -> None:
    """Fill the landing rows' converted money; quarantine rows with no ECB rate.

    A set-based update joined on the rate table _fxr (see prepare), after the validation
    pass: that pass stays a pure projection, which is what keeps file order for the lines.
    (Joining _fxr inside the pass would save this update, but DuckDB's parallel hash join
    does not keep its probe side's order: tried 2026-12-07, 1.7M of 2M CSV lines came out
    wrong, while every small test file, read by one thread, passed.)
    """
    if not kind.money:
        return
    md = kind.money_date
    last = fx_last(con)
    sets = ", ".join(f"{m}_rep = cast(l.{m} * r.rate as decimal(18, 4))" for m in kind.money)
    if set_line:  # the caller's CSV line, set in the same pass (see load._land)
        sets += ", _line = l.rowid + 2"
    con.execute(f"update {land} l set {sets}, fx_rate = r.rate, fx_date = r.rate_date "
                f"from _fxr r where r.currency = l.currency and r.day = least(l.{md}, $fx_last) "
                "and l._reason is null", {"fx_last": last})
    # A good row the update did not reach has no rate: quarantine it, saying whose is missing.
    con.execute(
        f"update {land} l set _reason = case when fx.per_eur is null then "
        f"'currency: no European Central Bank rate for ''' || l.currency || "
        f"''' on or just before ' || l.{md} else "
        f"'currency: no European Central Bank rate for the reporting currency ''' || "
        f"$reporting || ''' on ' || l.{md} end, _rule = case when fx.per_eur is null then "
        f"{lit('currency: no European Central Bank rate on or just before the date')} else "
        f"{lit('currency: no European Central Bank rate for the reporting currency')} end "
        f"from (select l.rowid as rid, fx.per_eur from {land} l left join _fx fx "
        f"on fx.currency = l.currency and fx.day = least(l.{md}, $fx_last) "
        f"where l._reason is null and l.fx_date = date {lit(FX_PENDING)}) fx "
        f"where l.rowid = fx.rid", {"reporting": reporting, "fx_last": last})


def prepare(con, money: bool, reporting: str) -> None:
    """The rate tables the money conversion joins (`_fx` built once per connection).

    `_fx`: staging.stg_fx_rates (etl/sql/staging/stg_fx_rates.sql, the one definition of a
    day's usable rate, staleness rule included), built from its file before the marts exist.
    A dense table turns the per-row lookup into a plain hash join. `_fxr`: per currency and day, the rate to the
    reporting currency (reporting units per unit) and the fixing date used, where both exist.
    """
    if not money:
        return
    have = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where temporary").fetchall()}
    if "_fx" not in have:  # the same relation the marts use: one staleness rule
        from etl import marts

        con.execute("create or replace temp table _fx as " + (
            f"select * from {_FX_MODEL}" if _fx_kept(con)
            else marts.model_sql("staging", "stg_fx_rates")))
    con.execute("create or replace temp table _fxr as select fx.currency, fx.day, "
                "fr.per_eur / fx.per_eur as rate, fx.rate_date from _fx fx join _fx fr "
                "on fr.day = fx.day and fr.currency = ?", [reporting])


_FX_MODEL = "staging.stg_fx_rates"


def _fx_kept(con) -> bool:
    """Whether the stored staging.stg_fx_rates is what its SQL makes of ref.fx_rates as it is
    now: the fingerprint the last marts rebuild recorded for it (etl/marts.py) still holds.
    Then prepare copies it (0.01 s) instead of recomputing the daily rates (0.1 s of CPU, 0.2
    s on a busy machine); the marts rebuild keeps it for the same reason."""
    from etl import marts

    return marts.still_current(con, _FX_MODEL)


def currencies(con) -> list[str]:
    """Every currency the ECB has fixed (EUR included)."""
    return [r[0] for r in con.execute("select distinct currency from ref.fx_rates "
                                      "order by 1").fetchall()]


def fx_last(con) -> dt.date:
    """The last ECB fixing the project ships."""
    return con.execute("select max(rate_date) from ref.fx_rates").fetchone()[0]


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
