-- One row when this version of a document is already recorded as withheld on this transport.
-- binds: d, kind, key, sha, transport
select 1
from mail_deliveries
where business_date = :d
    and document_kind = :kind
    and document_key = :key
    and content_sha256 = :sha
    and transport = :transport
    and recipient_sha256 = ''
    and sequence = 0
