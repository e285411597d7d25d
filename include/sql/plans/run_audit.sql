-- one row per recorded run: the manifest of what a business date's plans were built from,
-- chained to the previous record by hash so that a later change to any record shows.
create table if not exists run_audit (
    record_seq integer primary key,
    business_date date not null,
    run_id varchar(250) not null,
    recorded_at timestamp not null,
    manifest_sha256 varchar(64) not null,
    previous_manifest_sha256 varchar(64),
    manifest_json text not null
);
create index if not exists ix_run_audit_business_date on run_audit (business_date);
