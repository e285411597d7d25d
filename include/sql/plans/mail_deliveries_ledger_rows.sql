-- The business date's delivery ledger rows, the columns deliver.LEDGER_COLUMNS names.
-- binds: d
select
    document_kind,
    document_key,
    content_sha256,
    transport,
    recipient_sha256,
    sequence,
    recipient_kind,
    recipient_key,
    message_id,
    reason,
    status,
    in_doubt,
    attempts,
    requested_by,
    intent_at,
    run_id
from mail_deliveries
where business_date = :d
