-- One ledger row: the intent to send a message (status 'sending'), or a withheld document.
-- binds: document_kind, document_key, content_sha256, transport, recipient_sha256, sequence,
--   recipient_kind, recipient_key, message_id, reason, status, in_doubt, attempts,
--   requested_by, intent_at, run_id, business_date
insert into mail_deliveries (
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
    run_id,
    business_date
)
values (
    :document_kind,
    :document_key,
    :content_sha256,
    :transport,
    :recipient_sha256,
    :sequence,
    :recipient_kind,
    :recipient_key,
    :message_id,
    :reason,
    :status,
    :in_doubt,
    :attempts,
    :requested_by,
    :intent_at,
    :run_id,
    :business_date
)
