-- The warehouse's stored tables: provenance (meta), the six source kinds as loaded (raw),
-- reference rates (ref) and the simulator's ground truth (sim). Created if missing.
-- Every raw row carries _load_id (→ meta.loads) and _line (its line/row number in that file).
-- A reload tells "updated" from "unchanged" by comparing the stored values (etl/merge.py).
-- Keys are enforced by the loader's merge, not by indexes (ART indexes slow multi-million-row
-- merges and DuckDB's over-eager constraint checks reject some valid updates).
-- Money: the amount as given in `currency`, plus *_rep in the reporting currency at the ECB
-- rate of fx_date (the latest fixing on or before the row's date, at most 7 days old: the one
-- rule of staging.stg_fx_rates), fx_rate = rep per unit.

create schema if not exists meta;
create schema if not exists raw;
create schema if not exists ref;
create schema if not exists sim;
create schema if not exists staging;
create schema if not exists marts;

create table if not exists meta.settings (key varchar primary key, value varchar);

create sequence if not exists meta.load_seq start 1;

create table if not exists meta.loads (
    load_id bigint primary key,
    kind varchar not null,
    file varchar not null,          -- the name as given on the command line
    sha256 varchar,                 -- of the file's bytes; null if unreadable
    status varchar not null,        -- loaded | skipped | rejected
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_in bigint not null default 0,
    inserted bigint not null default 0,
    updated bigint not null default 0,
    unchanged bigint not null default 0,
    quarantined bigint not null default 0,
    ignored_columns varchar[],
    error varchar,
    simulated boolean not null default false,  -- written by `twinimpact demo`
    -- the column mapping applied (--map), if any: its saved name, SHA-256 and full text
    mapping_name varchar,
    mapping_sha256 varchar,
    mapping_text varchar
);

-- Column mappings saved with `load --save-map NAME` (etl/mapping.py), reused by `--map NAME`.
create table if not exists meta.mappings (
    name varchar not null,
    kind varchar not null,
    text varchar not null,          -- the TOML as given
    sha256 varchar not null,        -- of text (UTF-8)
    saved_at timestamptz not null,
    primary key (name, kind)
);

-- What each loaded bookings file covers (CONTRACT §2): the months from its earliest to its
-- latest shoot_date, or what `--covers` declared, for every brand the file holds. The latest
-- load of a file name states that file's coverage; different files accumulate.
create table if not exists meta.coverage (
    load_id bigint not null,
    file varchar not null,
    brand_id varchar not null,
    first_month date not null,
    last_month date not null
);

create table if not exists meta.quarantine (
    load_id bigint not null,
    kind varchar not null,
    file varchar not null,
    line bigint not null,           -- CSV/TSV/XLSX: file line (header = 1); JSONL: line; Parquet: row
    reason varchar not null,        -- names the column and the rule broken, quoting the value
    raw json not null,              -- the row's values as given
    column_name varchar,            -- the column (or key columns) whose rule was broken
    rule varchar                    -- the rule broken, without any value or key
);

create table if not exists raw.twins (
    twin_id varchar using compression uncompressed not null,  -- key (uncompressed: Kind.plain)
    model_id varchar not null,
    created_on date not null,
    platform varchar,
    status varchar not null,        -- active | retired
    _load_id bigint not null, _line bigint not null
);

create table if not exists raw.licenses (
    license_id varchar using compression uncompressed not null,  -- key (uncompressed: Kind.plain)
    twin_id varchar not null,
    brand_id varchar not null,
    granted_on date not null,
    valid_from date not null,
    valid_to date,                  -- inclusive; null = open-ended
    channels varchar[] not null,    -- ['*'] = every channel
    regions varchar[] not null,     -- ['*'] = every country
    fee_model varchar not null,     -- per_asset | flat_monthly | per_campaign
    fee_amount decimal(18, 4) not null,
    currency varchar not null,
    revoked_on date,
    exclusive boolean,              -- null = the licence does not say
    training_allowed boolean,       -- null = the licence does not say
    fee_amount_rep decimal(18, 4) not null,
    fx_rate double not null,
    fx_date date not null,
    _load_id bigint not null, _line bigint not null
);

create table if not exists raw.twin_usage (
    usage_id varchar using compression uncompressed not null,  -- key (uncompressed: Kind.plain)
    used_on date not null,
    used_at timestamp,              -- when the source gave a timestamp
    twin_id varchar not null,
    brand_id varchar not null,
    license_id varchar,
    channel varchar not null,
    region varchar not null,
    assets integer not null,
    fee_paid decimal(18, 4) not null,
    currency varchar not null,
    watermarked boolean not null,
    disclosed boolean not null,
    fee_paid_rep decimal(18, 4) not null,
    fx_rate double not null,
    fx_date date not null,
    _load_id bigint not null, _line bigint not null
);

create table if not exists raw.bookings (
    booking_id varchar using compression uncompressed not null,  -- key (uncompressed: Kind.plain)
    brand_id varchar not null,
    shoot_date date not null,
    channel varchar not null,
    region varchar not null,
    days decimal(6, 2) not null,
    assets integer not null,
    status varchar not null,        -- confirmed | completed | cancelled
    cancel_reason varchar,
    _load_id bigint not null, _line bigint not null
);

create table if not exists raw.booking_crew (
    booking_id varchar not null,
    person_id varchar not null,
    role varchar not null,
    days decimal(6, 2) not null,
    day_rate decimal(18, 4) not null,
    fee_total decimal(18, 4) not null,  -- as given, else days × day_rate
    currency varchar not null,
    -- no converted amounts here: the rate's date is the booking's shoot_date, which may
    -- arrive in a later load; staging converts crew money through staging.stg_fx_rates.
    _load_id bigint not null, _line bigint not null
    -- key: (booking_id, person_id, role)
);

create table if not exists raw.crew_employment (
    period varchar not null,        -- YYYY | YYYY-Qn | YYYY-MM
    period_start date not null,
    period_end date not null,
    area varchar not null,
    role varchar not null,
    employed bigint not null,
    hours_worked decimal(18, 2),
    median_earnings decimal(18, 4),
    mean_earnings decimal(18, 4),
    earnings_basis varchar,         -- hour | day | week | month | year
    currency varchar,
    source varchar not null,
    source_url varchar,             -- optional extra column we keep (BLS pages)
    note varchar,                   -- optional extra column we keep: caveats, status flags
    _load_id bigint not null, _line bigint not null
    -- key: (period, area, role, source)
);

-- Content credentials read from published images by `twinimpact scan-images` (CONTRACT §1,
-- kind image-checks; etl/images.py): one row per image, keyed by the SHA-256 of its bytes.
create table if not exists raw.image_checks (
    sha256 varchar not null,          -- key: of the image's bytes
    file varchar not null,            -- where it was first scanned (as given)
    format varchar not null,          -- jpeg | png | webp | avif | heic (from the bytes)
    bytes bigint not null,
    manifest boolean not null,        -- a C2PA manifest is embedded
    validation varchar,               -- valid | invalid; null without a manifest
    validation_codes varchar[] not null,  -- the library's status codes (failures, untrusted)
    trusted boolean,                  -- the signer chains to an anchor given with --trust
    trust_anchors varchar,            -- SHA-256 of the anchors file; null: none given
    signer_org varchar,               -- the signing certificate's organisation (as written)
    signer_cn varchar,                -- and common name
    claim_generator varchar,          -- the software that made the manifest (as written)
    signed_at varchar,                -- the signature's trusted timestamp, if any (ISO text)
    source_type varchar,              -- IPTC digital source type of the manifest's actions
    training varchar,                 -- not_allowed | constrained | allowed | absent
    xmp_source_type varchar,          -- Iptc4xmpExt:DigitalSourceType in the XMP packet
    ai_declared boolean not null,     -- either says trained/composite-with-trained AI media
    usage_id varchar,                 -- links from --map / --brand
    twin_id varchar,
    brand_id varchar,
    checked_at timestamptz not null,
    _load_id bigint not null, _line bigint not null
);

-- ECB euro reference rates: units of `currency` per 1 EUR on rate_date (EUR itself = 1).
create table if not exists ref.fx_rates (
    currency varchar not null,
    rate_date date not null,
    per_eur double not null,
    primary key (currency, rate_date)
);

-- The simulator's ground truth (CONTRACT §5); the marts never read it.
create table if not exists sim.truth_monthly (
    month date not null,
    brand_id varchar not null,
    channel varchar not null,
    counterfactual_shoot_days decimal(12, 2) not null,
    actual_shoot_days decimal(12, 2) not null,
    primary key (month, brand_id, channel)
);
