-- Set the status of one ledger row (no attempt counted: the message was not handed over).
-- binds: status, d, kind, key, sha, transport, rsha, seq
update mail_deliveries
set status = :status
where business_date = :d
    and document_kind = :kind
    and document_key = :key
    and content_sha256 = :sha
    and transport = :transport
    and recipient_sha256 = :rsha
    and sequence = :seq
