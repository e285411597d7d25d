-- The business date's ledger rows counted by transport, status, reason and in doubt.
-- binds: d
select
    transport,
    status,
    reason,
    in_doubt,
    count(*)
from mail_deliveries
where business_date = :d
group by transport, status, reason, in_doubt
