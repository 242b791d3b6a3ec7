-- grain: one row per audited action (sign-in, upload, report export)
create schema if not exists meta;
create table if not exists meta.audit (
    id varchar primary key,   -- unique per row (folding is idempotent)
    occurred_at timestamptz not null,  -- when (UTC)
    "user" varchar not null,  -- e-mail as the provider asserts it, or the OS user for the CLI
    role varchar not null,    -- public, local, union, admin, brand:ID
    action varchar not null,  -- sign-in, upload, report-export
    object varchar,           -- what: file names, brand, …
    result varchar not null   -- ok, rejected, error: …
);
