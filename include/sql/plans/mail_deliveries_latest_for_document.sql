-- The latest ledger row of one document: how far it got, by which transport, to whom (kind).
-- binds: d, kind, key
select
    status,
    transport,
    recipient_kind,
    reason,
    in_doubt,
    message_id
from mail_deliveries
where business_date = :d
    and document_kind = :kind
    and document_key = :key
order by intent_at desc, sequence desc
limit 1
