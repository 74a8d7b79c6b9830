-- The landing zone: written only by ingest (one writer), read by dbt (attached read-only).
create table if not exists raw_pages (
    sha256       varchar primary key,
    url          varchar not null,
    source       varchar,
    fetched_at   timestamp not null,
    http_status  integer,
    headers      varchar,
    size         bigint not null,
    path         varchar not null,
    sidecar      varchar
);

create table if not exists page_errors (
    url          varchar not null,
    sha256       varchar,
    stage        varchar not null,
    reason       varchar not null,
    recorded_at  timestamp not null,
    run_id       varchar
);

create table if not exists documents (
    document_id          varchar primary key,
    sha256               varchar not null,
    url                  varchar not null,
    title                varchar,
    published_at         date,
    published_at_source  varchar not null,
    fetched_at           timestamp not null,
    encoding             varchar,
    encoding_source      varchar,
    text                 varchar,
    text_length          integer not null,
    cjk_share            double,
    status               varchar not null,
    reject_reason        varchar,
    extractor_version    varchar not null,
    processed_at         timestamp not null
);

create table if not exists mentions (
    mention_id         varchar primary key,
    document_id        varchar not null,
    char_start         integer not null,
    char_end           integer not null,
    raw_text           varchar not null,
    sentence           varchar not null,
    value              double not null,
    value_high         double,
    unit               varchar not null,
    qualifier          varchar not null,
    indicator_id       varchar not null,
    category           varchar not null,
    status             varchar not null,
    period_start       date,
    period_end         date,
    period_basis       varchar not null,
    region_id          varchar,
    region_text        varchar,
    region_basis       varchar not null,
    extractor_version  varchar not null,
    confidence         double not null,
    basis              varchar not null
);
-- Columns added after the first release: a landing zone made before them gains them here
-- (its pages are re-extracted, since the extractor version changed with them).
alter table mentions add column if not exists confidence double default 0;
alter table mentions add column if not exists basis varchar default '';

-- One row per quality-gate run (blocked runs too): the history `zonewatch failures` reads
-- and dbt publishes as `validation_runs`.
create table if not exists validation_runs (
    run_id          varchar primary key,
    validated_at    timestamp not null,
    passed          boolean not null,
    blocking_count  integer not null,
    warning_count   integer not null,
    expectations    integer not null,
    report_dir      varchar not null,
    summary         varchar not null,
    failures        varchar not null
);

-- The sha256 of the build copy the gate validated: publish refuses any other file.
alter table validation_runs add column if not exists build_sha256 varchar;

-- Mentions set aside by the quality gate (row-level failures): never published as facts,
-- kept with the expectation that failed and the page, for on-call to look at.
create table if not exists quarantine (
    mention_id      varchar primary key,
    document_id     varchar not null,
    url             varchar,
    sentence        varchar,
    raw_text        varchar,
    expectation     varchar not null,
    reason          varchar not null,
    run_id          varchar not null,
    quarantined_at  timestamp not null
);

-- What we know of each canonical URL from the last fetch: conditional GET validators,
-- the last outcome, and failures to retry.
create table if not exists fetch_state (
    url                   varchar primary key,
    source                varchar not null,
    etag                  varchar,
    last_modified         varchar,
    last_status           integer,
    last_sha256           varchar,
    last_fetched_at       timestamp not null,
    last_error            varchar,
    consecutive_failures  integer not null default 0
);

-- The exclusion ledger (`zonewatch exclude` / `zonewatch include`): pages on-call set
-- aside, with who, when and why. One row per exclusion of one document; `include` marks
-- the row undone (included_by, included_at) instead of deleting it, so the history stays.
-- A document is excluded while it has a row with included_at NULL (at most one: the
-- ledger never opens a second); dbt leaves its mentions out of the facts on every build.
create table if not exists exclusions (
    document_id  varchar not null,
    url          varchar not null,
    target       varchar not null,
    reason       varchar not null,
    excluded_by  varchar not null,
    excluded_at  timestamp not null,
    included_by  varchar,
    included_at  timestamp
);
