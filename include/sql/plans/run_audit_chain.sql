-- Every record of the run_audit chain in order, with what verifying the chain needs.
-- binds: none
select
    record_seq,
    business_date,
    manifest_sha256,
    previous_manifest_sha256,
    manifest_json
from run_audit
order by record_seq
