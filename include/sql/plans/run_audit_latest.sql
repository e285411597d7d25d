-- The last record of the run_audit chain: its number and manifest hash (no row: none yet).
-- binds: none
select
    record_seq,
    manifest_sha256
from run_audit
order by record_seq desc
limit 1
