# ruff: noqa: S608 — this module generates SQL from our own identifiers; file values are bound.
"""Generate the one set-based validation pass from the contract declarations.

`validation_sql` turns a Kind (etl/contracts.py) and the file's column mapping into a single
SELECT over the source (DuckDB's CSV reader, or temp._src) that yields, per row: the typed
contract columns, derived columns (used_at, period_start/end), a hash of the contract values,
the first broken rule (`_reason`, naming the column and the rule) and, for rejected rows only,
the raw values as JSON. The pass is a pure projection, so it runs in parallel and keeps file
order. Two set-based follow-ups need the whole file: repeated keys (Plan.dup_sql) and rows
with no ECB rate (Plan.fx_check); the converted money is joined in at the merge
(Plan.fx_merge). Identifiers and messages come from our code; every value from a file stays
in the data, and our own values (vocabularies, dates) are bound as `$name` parameters.
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
from etl.sources.countries import COUNTRIES

# Stored SQL types that differ from the defaults below (etl/sql/raw/tables.sql).
SQL_TYPES = {
    ("bookings", "days"): "decimal(6, 2)",
    ("booking-crew", "days"): "decimal(6, 2)",
    ("crew-employment", "hours_worked"): "decimal(18, 2)",
    ("crew-employment", "employed"): "bigint",
}
DEFAULT_TYPES = {"decimal": "decimal(18, 4)", "integer": "integer"}
FX_STALE_DAYS = 7  # a fixing older than this before the row's date means "no rate" (gaps)


def lit(text: str) -> str:
    """A SQL string literal for text from our own code (never for file values)."""
    return "'" + text.replace("'", "''") + "'"


def _trimmed(src: str) -> str:
    """nullif(trim(src), ''), calling trim only for values it could change.

    trim copies every value (measured ~3x the cost of the guard on 2M rows); it removes
    Unicode space separators, so any non-ASCII value (byte length ≠ character count) is
    trimmed too.
    """
    return (f"case when {src} like ' %' or {src} like '% ' or strlen({src}) <> length({src}) "
            f"then nullif(trim({src}), '') else nullif({src}, '') end")


def _got(v: str) -> str:
    return f" || ', got ''' || left({v}, 60) || ''''"


@dataclass
class Plan:
    """Generated SQL plus its bound parameters and the stored columns it produces."""

    sql: str
    params: dict = field(default_factory=dict)
    stored: list[str] = field(default_factory=list)
    dup_sql: tuple[str, str] = ("", "")  # find keys repeated in _valid; quarantine them
    raw_json: str = "'{}'"                # the raw-values JSON over the source columns
    raw_params: dict = field(default_factory=dict)
    fx_check: tuple[str, dict] = ("", {})  # quarantine rows without an ECB rate
    fx_gaps: tuple[str, dict] = ("", {})   # count of currencies with a possible gap (0: skip)
    fx_merge: tuple | None = None          # (joins, [(column, expr)], _) for the money columns
    fx_params: dict = field(default_factory=dict)


class _Gen:
    def __init__(self, kind: Kind, mapping: dict[str, str | None], decimal_comma: bool):
        self.kind = kind
        self.mapping = mapping
        self.decimal_comma = decimal_comma
        self.params: dict = {}
        self.norm: list[str] = []     # v_<col>: trimmed text (default applied)
        self.typed: list[str] = []    # t_<col>: typed value
        self.checks: list[str] = []   # `when <broken> then <message>` in column order

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
        raw = _trimmed(src) if src else "cast(null as varchar)"
        if c.default is not None:
            raw = f"coalesce({raw}, {lit(c.default)})"
        v, t, n = f"v_{c.name}", f"t_{c.name}", c.name
        self.norm.append(f"{raw} as {v}")
        if not c.nullable and c.default is None:
            self.checks.append(f"when {v} is null then {lit(n + ': required, got empty')}")
        getattr(self, "_" + c.type)(c, v, t, n)

    def _expect(self, broken: str, n: str, rule: str, v: str) -> None:
        self.checks.append(f"when {broken} then {lit(n + ': ' + rule)}{_got(v)}")

    def _id(self, c, v, t, n):
        self.typed.append(f"{v} as {t}")
        self._expect(f"length({v}) > {ID_MAX_LEN}", n,
                     f"must be at most {ID_MAX_LEN} characters", v)

    def _text(self, c, v, t, n):
        self.typed.append(f"{v} as {t}")

    def _date_expr(self, v: str) -> str:
        # strict YYYY-MM-DD: DuckDB's cast alone would also take 2024-1-5
        return (f"case when length({v}) = 10 and {v}[5] = '-' and {v}[8] = '-' "
                f"then try_cast({v} as date) end")

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
            f"case when length({v}) = 10 then {self._date_expr(v)} "
            f"when {n}_at_ is not null then {self._date_expr(f'left({v}, 10)')} end as {t}")
        self._expect(f"{v} is not null and {t} is null", n,
                     "not a date YYYY-MM-DD or an ISO timestamp", v)
        self._date_range(t, n, v)

    def _number(self, v: str) -> str:
        if self.decimal_comma:  # 1.234,50 → 1234.50
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

    def _decimal(self, c, v, t, n):
        self.typed.append(f"try_cast({self._number(v)} as {self.sql_type(c)}) as {t}")
        self._expect(f"{v} is not null and {t} is null", n, "not a number", v)
        self._bounds(c, t, n, v)

    def _integer(self, c, v, t, n):
        d = f"try_cast({self._number(v)} as double)"
        self.typed.append(
            f"case when {d} = trunc({d}) and abs({d}) < 1e15 "
            f"then cast({d} as {self.sql_type(c)}) end as {t}")
        self._expect(f"{v} is not null and {t} is null", n, "not a whole number", v)
        self._bounds(c, t, n, v)

    def _bool(self, c, v, t, n):
        yes, no = self.param("bool_true", list(BOOL_TRUE)), self.param("bool_false",
                                                                       list(BOOL_FALSE))
        self.typed.append(f"case when list_contains({yes}, lower({v})) then true "
                          f"when list_contains({no}, lower({v})) then false end as {t}")
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
        self.checks.append(
            f"when len({n}_bad_) > 0 then {lit(n + ': ')} || left({n}_bad_[1], 60) || "
            f"{lit(' is not ' + what + ' (or * alone)')} || ', got ''' || left({v}, 60) || ''''")

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
                   decimal_comma: bool, today: dt.date, reporting: str,
                   fx_last: dt.date | None = None, currencies: list[str] = ()) -> Plan:
    """The single SELECT validating `source` for `kind` (see module docstring).

    `source` is temp._src or a read_csv(...) call; with no `line_expr` the rows carry no
    _line and their line is the rowid of the table they are written to, plus 2.
    """
    g = _Gen(kind, mapping, decimal_comma)
    g.param("currency_re", "|".join(re.escape(c) for c in currencies) or "[^\\s\\S]")
    for c in kind.columns:
        g.column(c)
    g.param("earliest", dt.date.fromisoformat(EARLIEST_DATE))
    g.param("latest", _one_year_after(today))
    names = [c.name for c in kind.columns]

    # Cross-column rules, checked after each column's own rules.
    extra_checks: list[str] = []
    if kind.name == "licenses":
        extra_checks.append("when t_valid_to < t_valid_from then 'valid_to: must be on or "
                            "after valid_from, got ''' || v_valid_to || ''' < ''' || "
                            "v_valid_from || ''''")
    if kind.name == "crew-employment":
        filled = "(t_median_earnings is not null or t_mean_earnings is not null)"
        extra_checks.append(f"when {filled} and t_earnings_basis is null then 'earnings_basis: "
                            "required when median_earnings or mean_earnings is filled'")
        extra_checks.append(f"when {filled} and t_currency is null then 'currency: "
                            "required when median_earnings or mean_earnings is filled'")

    # Stored columns, in raw-table order.
    stored: list[tuple[str, str]] = []
    for c in kind.columns:
        stored.append((c.name, f"t_{c.name}"))
        if c.type == "date_or_ts":
            stored.append((f"{c.name[:-3]}_at" if c.name.endswith("_on") else f"{c.name}_at",
                           f"{c.name}_at_"))
        if c.type == "period":
            stored += [("period_start", "period_start_"), ("period_end", "period_end_")]
    if kind.name == "booking-crew":  # empty fee_total = days × day_rate
        stored = [(s, "coalesce(t_fee_total, cast(t_days * t_day_rate as decimal(18, 4)))"
                   if s == "fee_total" else e) for s, e in stored]

    # Duplicate keys inside the file are found after this pass (see dup_sql), on the stored
    # (trimmed, case-folded) key columns.
    key_list = ", ".join(kind.key)
    fx_joins, fx_cols, fx_check = "", "", ""
    fx_merge: tuple[str, list[tuple[str, str]], str] | None = None
    if kind.money:
        # Rates are joined after this pass (joins would not keep file order, and the pass
        # stays a pure projection): fx_check_sql quarantines rows with no rate, and the merge
        # takes the converted amounts from _fx (see prepare). After the last shipped fixing,
        # the last one is used.
        g.param("reporting", reporting)
        g.param("fx_last", fx_last)
        md = kind.money_date
        day = f"least(v.{md}, $fx_last)"
        joins = (f"left join _fx fx on fx.currency = v.currency and fx.day = {day} "
                 f"left join _fx fr on fr.currency = $reporting and fr.day = {day}")
        cols = [(f"{m}_rep", f"cast(v.{m} * (fr.per_eur / fx.per_eur) as decimal(18, 4))")
                for m in kind.money]
        cols += [("fx_rate", "fr.per_eur / fx.per_eur"), ("fx_date", "fx.rate_date")]
        fx_merge = (joins, cols, "")
        fx_check_sql = (
            f"update _valid set _reason = case when m.cur is null then "
            f"'currency: no European Central Bank rate for ''' || m.currency || "
            f"''' on or just before ' || m.day_ else "
            f"'currency: no European Central Bank rate for the reporting currency ''' || "
            f"$reporting || ''' on ' || m.day_ end "
            f"from (select v.rowid as rid, v.currency, v.{md} as day_, fx.per_eur as cur, "
            f"fr.per_eur as rep from _valid v {joins} where v._reason is null "
            f"and (fx.per_eur is null or fr.per_eur is null)) m "
            f"where _valid.rowid = m.rid")
        # Cheap pre-test (one small aggregate instead of two joins over every row): when
        # _fx has every day between the earliest and latest (capped) date of each currency
        # used, and of the reporting currency, no row can lack a rate.
        fx_gaps_sql = (
            f"with need as (select currency, least(min({md}), $fx_last) as lo, "
            f"least(max({md}), $fx_last) as hi from _valid where _reason is null "
            f"group by currency union all select $reporting, least(min({md}), $fx_last), "
            f"least(max({md}), $fx_last) from _valid where _reason is null) "
            f"select count(*) from need n where n.lo is not null and (select count(distinct "
            f"f.day) from _fx f where f.currency = n.currency and f.day between n.lo and "
            f"n.hi) <> datediff('day', n.lo, n.hi) + 1")
    else:
        fx_check_sql = fx_gaps_sql = ""

    contract_exprs = [e for s, e in stored if not s.endswith("_rep") and
                      s not in ("fx_rate", "fx_date")]
    reason = ("case " + " ".join(g.checks) + " " + " ".join(extra_checks) +
              (" " + fx_check if fx_check else "") + " end")
    raw_json = ("json_object(" + ", ".join(
        f"{g.param(f'name{i}', name)}, {col}" for i, (col, name) in
        enumerate(zip(source_columns, source_names, strict=True))) + ")"
        if source_columns else "'{}'")
    src_cols = "".join(f", {c}" for c in source_columns)
    line_col = f"{line_expr} as _line_, " if line_expr else ""
    line_out = "_line_ as _line, " if line_expr else ""
    # Nested subqueries, not CTEs: each level is a projection over one scan of the source.
    sql = f"""
select {line_out}{', '.join(f'{e} as {s}' for s, e in stored)},
       hash({', '.join(contract_exprs)}) as _hash, _reason,
       case when _reason is not null then {raw_json} end as _raw
from (
    select n.*{fx_cols}, {reason} as _reason
    from (
        select *, {', '.join(g.typed)}
        from (select {line_col}{', '.join(g.norm)}{src_cols} from {source})
    ) n{fx_joins}
)
"""
    del names
    key_shown = (f"'{kind.key[0]}: key ''' || d.k0 || ''''" if len(kind.key) == 1
                 else f"'key ({key_list}) = (' || concat_ws(', ', " + ", ".join(
                     f"'''' || d.k{i} || ''''" for i in range(len(kind.key))) + ") || ')'")
    on = " and ".join(f"v.{k} = d.k{i}" for i, k in enumerate(kind.key))
    dup_sql = (
        "create or replace temp table _dups as select " +
        ", ".join(f"{k} as k{i}" for i, k in enumerate(kind.key)) +
        ", count(*) as dup_n from _valid where " +
        " and ".join(f"{k} is not null" for k in kind.key) +
        " group by all having count(*) > 1",
        f"update _valid v set _reason = {key_shown} || ' appears ' || d.dup_n || "
        f"' times in this file; all its rows are quarantined' from _dups d where {on}",
    )

    def used(text: str) -> dict:
        return {k: v for k, v in g.params.items() if re.search(rf"\${k}\b", text)}

    return Plan(sql=sql, params=used(sql), stored=[s for s, _ in stored], dup_sql=dup_sql,
                raw_json=raw_json, raw_params=used(raw_json),
                fx_check=(fx_check_sql, used(fx_check_sql)), fx_merge=fx_merge,
                fx_gaps=(fx_gaps_sql, used(fx_gaps_sql)),
                fx_params=used(fx_merge[0]) if fx_merge else {})


def prepare(con, money: bool) -> None:
    """The temp table the merge joins for money (built once per connection).

    `_fx`: for every currency and calendar day up to the last shipped fixing, the latest
    ECB fixing on or before that day (what an ASOF join on ref.fx_rates gives), unless it is
    more than FX_STALE_DAYS old: a discontinued currency (HRK after 2022) or a gap (ISK
    2008–2018) has no rate there. EUR is 1 on every ECB fixing day. A dense table turns the
    per-row lookup into a plain hash join.
    """
    have = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where temporary").fetchall()}
    if money and "_fx" not in have:
        con.execute(f"""
            create or replace temp table _fx as
            with fixings as (
                select currency, rate_date, per_eur from ref.fx_rates where currency <> 'EUR'
                union all
                select distinct 'EUR', rate_date, 1.0 from ref.fx_rates where currency <> 'EUR'
            ),
            ecb_days as (
                select rate_date, lead(rate_date) over (order by rate_date) as next_day
                from (select distinct rate_date from fixings)
            ),
            spans as (  -- each fixing holds until the currency's next one (at most a week)
                select f.currency, f.rate_date, f.per_eur,
                       least(coalesce(lead(f.rate_date) over (partition by f.currency
                                                              order by f.rate_date),
                                      e.next_day, f.rate_date + 1),
                             f.rate_date + {FX_STALE_DAYS + 1}) as until
                from fixings f join ecb_days e using (rate_date)
            )
            select currency, cast(unnest(generate_series(rate_date, until - 1, interval 1 day))
                                  as date) as day, per_eur, rate_date
            from spans
        """)


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
