-- The outcome of one message's handover: status, one more attempt, in doubt once resent.
-- binds: status, in_doubt, accepted_at, d, kind, key, sha, transport, rsha, seq
update mail_deliveries
set
    status = :status,
    attempts = attempts + 1,
    in_doubt = case when :in_doubt = 1 then 1 else in_doubt end,
    accepted_at = :accepted_at
where business_date = :d
    and document_kind = :kind
    and document_key = :key
    and content_sha256 = :sha
    and transport = :transport
    and recipient_sha256 = :rsha
    and sequence = :seq
