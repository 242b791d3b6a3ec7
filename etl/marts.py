"""Rebuild staging views and marts from the .sql files, in dependency order.

Each file in sql/staging becomes `staging.<stem>` (a view, or a table when its first lines say
`-- materialized: table`: heavy aggregates read by several marts are computed once); each file
in sql/marts becomes the table `marts.<stem>` (tables, so the dashboard reads them fast). The
grain line (`-- grain: ...`) at the top of each file becomes the relation's comment.

A table is rebuilt only when what it is made from changed: its fingerprint is its SQL, the
state of the stored tables it reads (raw.*: rows and the newest load in them — a load that
changes a row re-inserts it with its own load id; ref.* and meta.*: a hash of every row) and
the fingerprints of the models it reads. A twin-usage load then leaves the crew tables as
they are, a bookings load the usage tables. `rebuild(con, force=True)` rebuilds everything.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import config, estimate, release

_REF = re.compile(r"\b(staging|marts)\.([a-z_][a-z0-9_]*)\b")
_SOURCE = re.compile(r"\b(raw|ref|meta)\.([a-z_][a-z0-9_]*)\b")
_GRAIN = re.compile(r"^--\s*grain:\s*(.+)$", re.MULTILINE)
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*table\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Model:
    """One .sql file: the relation it produces and what it reads."""

    schema: str
    name: str
    sql: str
    grain: str
    table: bool
    depends: frozenset[str]
    sources: frozenset[str] = frozenset()  # the stored tables it reads (raw, ref, meta)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def load_models(sql_dir: Path = config.SQL_DIR) -> list[Model]:
    """Every staging and mart model, sorted so each comes after what it reads."""
    models: dict[str, Model] = {}
    for schema in ("staging", "marts"):
        for path in sorted((sql_dir / schema).glob("*.sql")):
            text = path.read_text()
            body = _strip_comments(text).strip().rstrip(";")
            grain = _GRAIN.search(text)
            model = Model(
                schema=schema,
                name=path.stem,
                sql=body,
                grain=grain.group(1).strip() if grain else "",
                table=schema == "marts" or bool(_MATERIALIZED.search(text)),
                depends=frozenset(f"{s}.{n}" for s, n in _REF.findall(body)) - {
                    f"{schema}.{path.stem}"},
                sources=frozenset(f"{s}.{n}" for s, n in _SOURCE.findall(body)),
            )
            models[model.qualified] = model
    return _topological(models)


def model_sql(schema: str, name: str, sql_dir: Path = config.SQL_DIR) -> str:
    """The SELECT of one model's file (the loader builds staging.stg_fx_rates before the marts)."""
    return _strip_comments((sql_dir / schema / f"{name}.sql").read_text()).strip().rstrip(";")


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] if "--" in line else line
                     for line in sql.splitlines())


def _topological(models: dict[str, Model]) -> list[Model]:
    ordered: list[Model] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(f"SQL models form a cycle: {' -> '.join(chain + (name,))}")
        state[name] = 1
        for dep in sorted(models[name].depends):
            if dep in models:
                visit(dep, chain + (name,))
        state[name] = 2
        ordered.append(models[name])

    for name in sorted(models, key=lambda n: (not n.startswith("staging."), n)):
        visit(name, ())
    return ordered


def sql_version(sql_dir: Path = config.SQL_DIR) -> str:
    """SHA-256 of every staging and mart file and of the release's code: which code built
    the marts and the release."""
    digest = hashlib.sha256()
    for schema in ("staging", "marts"):
        for path in sorted((sql_dir / schema).glob("*.sql")):
            digest.update(f"{schema}/{path.name}\0".encode() + path.read_bytes() + b"\0")
    digest.update(release.code_version().encode())
    return digest.hexdigest()


def up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the marts were built by this code's SQL (a load that changes no data then
    leaves them alone; another version's are rebuilt by the next load, even a skipped one)."""
    row = con.execute("select value from meta.settings where key = 'marts_sql'").fetchone()
    k = con.execute("select value from meta.settings where key = 'release_k'").fetchone()
    # a release suppressed for another k is rebuilt too
    return (row is not None and row[0] == sql_version()
            and k is not None and k[0] == str(config.k_threshold()))


def rebuild(con: duckdb.DuckDBPyConnection, force: bool = False) -> dict[str, float]:
    """Recreate the staging views and marts inside the writer's transaction: every table whose
    fingerprint changed (all of them with `force`), then the estimator.

    Returns the seconds each model took, 0.0 for a table kept as it was (for `bench`).
    Records the SQL's version in meta.settings (see up_to_date).
    """
    con.execute("create schema if not exists staging")
    con.execute("create schema if not exists marts")
    con.execute("create table if not exists meta.model_fingerprints "
                "(model varchar primary key, fingerprint varchar not null)")
    models = load_models()
    _drop_stale(con, {m.qualified: ("BASE TABLE" if m.table else "VIEW") for m in models})
    timings: dict[str, float] = {}
    # Row order inside a mart means nothing; letting DuckDB write in parallel saves seconds
    # at millions of rows. The writer's own setting is restored afterwards.
    order = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set preserve_insertion_order = false")
    try:
        # marts built by another version's SQL are rebuilt whole, whatever their fingerprints
        whole = force or not up_to_date(con)
        kept_release = None if whole else release.built_with(con)
        done = _build(con, models, timings, {} if whole else _kept(con))
        started = time.perf_counter()
        estimate.rebuild(con)  # numpy after SQL: the interval and the event study
        timings["marts.displacement_estimates"] = time.perf_counter() - started
        # the public release and its audit, in the same publish (etl/release.py)
        timings[release.FINGERPRINT_KEY] = release.rebuild(con, done, force=whole,
                                                           kept=kept_release)
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if order else 'false'}")
    con.execute("insert or replace into meta.settings values ('marts_sql', ?)",
                [sql_version()])
    return timings


def still_current(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether the stored table `qualified`, a model reading stored tables only (no other
    model), is what its SQL makes of them now: the fingerprint the last rebuild recorded for
    it still holds (False with no marts yet, or marts built before fingerprints)."""
    if con.execute("select count(*) from duckdb_tables() where database_name = "
                   "current_database() and schema_name || '.' || table_name in (?, ?)",
                   [qualified, "meta.model_fingerprints"]).fetchone()[0] < 2:
        return False
    [stored] = con.execute("select list(fingerprint) from meta.model_fingerprints "
                           "where model = ?", [qualified]).fetchone()
    model = next(m for m in load_models() if m.qualified == qualified)
    if model.depends:
        return False  # its inputs' fingerprints are known only inside a rebuild
    states = {s: _source_state(con, s) for s in model.sources}
    return stored == [_fingerprint(model, states, {})]


def _kept(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The fingerprint each existing table was built from."""
    existing = {r[0] for r in con.execute("""
        select schema_name || '.' || table_name from duckdb_tables()
        where database_name = current_database() and schema_name in ('staging', 'marts')
    """).fetchall()}
    return {model: fp for model, fp in con.execute(
        "select model, fingerprint from meta.model_fingerprints").fetchall()
        if model in existing}


def _source_state(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """What a stored table holds, cheaply: raw tables by their rows and newest load (every
    changed row is re-inserted with its load's id), the small ref and meta tables by a hash
    of every row. Identifiers come from our own SQL files."""
    if table.startswith("raw."):
        sql = f"select count(*), max(_load_id) from {table}"  # noqa: S608
    elif table == "meta.settings":  # not the key this rebuild writes at its end
        sql = "select count(*), bit_xor(hash(t)) from meta.settings t where key <> 'marts_sql'"
    else:
        sql = f"select count(*), bit_xor(hash(t)) from {table} t"  # noqa: S608
    try:
        return repr(con.execute(sql).fetchone())
    except duckdb.CatalogException:
        return "missing"


def _fingerprint(model: Model, states: dict[str, str], done: dict[str, str]) -> str:
    digest = hashlib.sha256(model.sql.encode())
    for name in sorted(model.sources):
        digest.update(f"\0{name}={states[name]}".encode())
    for name in sorted(model.depends):
        digest.update(f"\0{name}={done.get(name, '')}".encode())
    return digest.hexdigest()


def _build(con: duckdb.DuckDBPyConnection, models: list[Model],
           timings: dict[str, float], kept: dict[str, str]) -> dict[str, str]:
    states = {name: _source_state(con, name)
              for name in sorted({s for m in models for s in m.sources})}
    done: dict[str, str] = {}
    for model in models:
        started = time.perf_counter()
        fp = done[model.qualified] = _fingerprint(model, states, done)
        if model.table and kept.get(model.qualified) == fp:
            timings[model.qualified] = 0.0  # made from exactly what it was made from before
            continue
        kind = "table" if model.table else "view"
        # Identifiers come from our own file names, never from user input.
        con.execute(f"create or replace {kind} {model.qualified} as\n{model.sql}")
        if model.grain:
            con.execute(f"comment on {kind} {model.qualified} is "
                        + _sql_string(f"grain: {model.grain}"))
        timings[model.qualified] = time.perf_counter() - started
    con.execute("delete from meta.model_fingerprints")
    con.executemany("insert into meta.model_fingerprints values (?, ?)",
                    [[m.qualified, done[m.qualified]] for m in models if m.table])
    return done


def _drop_stale(con: duckdb.DuckDBPyConnection, wanted: dict[str, str]) -> None:
    """Drop relations whose file is gone or whose kind (view/table) changed."""
    existing = con.execute("""
        select table_schema || '.' || table_name, table_type from information_schema.tables
        where table_schema in ('staging', 'marts') and table_catalog = current_database()
    """).fetchall()
    # views first: a stale view may read a table dropped below
    for name, kind in sorted(existing, key=lambda r: r[1] != "VIEW"):
        if wanted.get(name) != kind:
            con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} if exists {name} cascade")


def _sql_string(text: str) -> str:
    # COMMENT ON takes no bound parameters; the text is our own file's grain line.
    return "'" + text.replace("'", "''") + "'"
