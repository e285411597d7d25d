-- The delivery ledger: one row per message handed to a transport, or withheld, per business
-- date. The row is written before the handover (status 'sending') and updated after it
-- ('accepted', 'refused', 'deferred'), so a run killed in between leaves a 'sending' row: the
-- next run resends that message with the same Message-ID and counts it as in doubt.
--   document_kind  'plan' (a manager's plan), 'branch_rollup', 'pool' (a branch's pool list)
--   document_key   the manager_id, the branch_id, or the pool's list id (POOL-<branch_id>)
--   recipient_kind 'manager' or 'branch_head' (a plan whose manager cannot receive it goes to
--                  the head of the manager's branch); recipient_key: manager_id / branch_id
--   transport      'smtp' or 'outbox': an outbox row never counts as an SMTP delivery
--   sequence       0 for the nightly delivery of a version; 1, 2, ... for explicit resends
--   reason         'new', 'update' (an earlier version went out), 'resend', or for a
--                  withheld document the address problem (missing, not_an_address, ...)
--   status         'sending', 'accepted', 'refused' (5xx: permanent), 'deferred' (known not
--                  accepted: a transient failure before the message's data went out),
--                  'withheld' (no recipient may receive it)
--   in_doubt       1 when the message was resent because an earlier handover's outcome
--                  was never recorded
-- Addresses are kept only as recipient_sha256; smtp_status is the enhanced status code
-- without the server's text (which names the recipient).
create table if not exists mail_deliveries (
    business_date date not null,
    document_kind varchar(16) not null,
    document_key varchar(64) not null,
    content_sha256 varchar(64) not null,
    transport varchar(16) not null,
    recipient_sha256 varchar(64) not null,
    sequence integer not null,
    recipient_kind varchar(16) not null,
    recipient_key varchar(64) not null,
    message_id varchar(250) not null,
    reason varchar(32) not null,
    status varchar(16) not null,
    in_doubt integer not null default 0,
    attempts integer not null default 0,
    smtp_code integer,
    smtp_status varchar(16),
    requested_by varchar(100),
    run_id varchar(250),
    intent_at timestamp not null,
    accepted_at timestamp,
    primary key (business_date, document_kind, document_key, content_sha256, transport,
                 recipient_sha256, sequence)
);
