-- The business date's ledger rows in the order written: a document's last row is its outcome.
-- binds: business_date
select
    document_kind,
    document_key,
    status,
    reason,
    in_doubt,
    recipient_kind,
    transport,
    intent_at
from mail_deliveries
where business_date = :business_date
order by intent_at, sequence
