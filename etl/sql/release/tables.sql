-- The release's table and its audit, recreated by a release build that keeps no measure as it
-- was (etl/release.py, _write: otherwise only the rows of the measures computed are replaced).
-- release.cells: one row per cell; value and people only where status = 'shown'.
create or replace table release.cells (
    cell_id varchar not null,       -- measure:period:dim[=member]
    measure varchar not null,
    grain varchar not null,         -- month | quarter | year
    period varchar not null,        -- 2025-03 | 2025-Q1 | 2025
    period_start date not null,
    dim varchar not null,           -- all | brand | channel | role | region | reason
    member varchar not null,        -- '' for all
    value double,
    people bigint,                  -- distinct people behind a shown cell (null: not about people)
    status varchar not null check (status in ('shown', 'primary', 'secondary'))
);
comment on table release.cells is 'grain: one row per measure × period × breakdown × member';
-- meta.release_audit: the interval attack's range for every hidden cell
create or replace table meta.release_audit (
    cell_id varchar not null,
    measure varchar not null,
    status varchar not null,        -- primary | secondary: both must keep a range of ±50%
    value double not null,          -- the hidden value (meta is never public)
    lo double,                      -- values the cell can take given everything published:
    hi double,                      -- the attack's extremes, or values at least that far out
    ok boolean not null             -- lo <= value - 50% of |value| and hi >= value + 50% of it
);
-- meta.release_measures: each measure's digests (etl/release.py): a measure whose inputs are
-- unchanged is not computed again at the next build (measure_inputs), one whose cells are
-- unchanged keeps its pattern and audit (measure_digests)
create or replace table meta.release_measures (
    measure varchar primary key,
    digest varchar,                 -- of its cells (null: it has none)
    inputs varchar not null         -- of what its cells are made from
);
