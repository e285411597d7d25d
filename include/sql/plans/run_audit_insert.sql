-- Append one record (a run's manifest) to the run_audit chain.
-- binds: seq, business_date, run_id, recorded_at, sha, previous, body
insert into run_audit (
    record_seq,
    business_date,
    run_id,
    recorded_at,
    manifest_sha256,
    previous_manifest_sha256,
    manifest_json
)
values (:seq, :business_date, :run_id, :recorded_at, :sha, :previous, :body)
