-- one row per document delivered: a manager's plan or a branch roll-up, per business date
-- and version of the document's content. A document whose content hash is already here is
-- never sent again; a new hash for a document already delivered goes out as an update.
-- document_kind: 'plan' (manager_id is the plan's manager) or 'branch_rollup' (manager_id
-- holds the roll-up's branch_id: the column keeps its name so that the plans' rows, their
-- key and every query of them stay as they were). A ledger created before roll-ups were
-- emailed gets document_kind from plan_deliveries_document_kind.sql (its rows are plans).
create table if not exists plan_deliveries (
    business_date date not null,
    manager_id varchar(32) not null,
    content_sha256 varchar(64) not null,
    message_id varchar(200) not null,
    recipient_sha256 varchar(64) not null,
    transport varchar(16) not null,
    delivered_at timestamp not null,
    document_kind varchar(16) not null default 'plan',
    primary key (business_date, manager_id, content_sha256)
);
