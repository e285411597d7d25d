-- one row per plan delivered: manager, business date and version of the plan's content.
-- A plan whose content hash is already here is never sent again.
create table if not exists plan_deliveries (
    business_date date not null,
    manager_id varchar(32) not null,
    content_sha256 varchar(64) not null,
    message_id varchar(200) not null,
    recipient_sha256 varchar(64) not null,
    transport varchar(16) not null,
    delivered_at timestamp not null,
    primary key (business_date, manager_id, content_sha256)
);
