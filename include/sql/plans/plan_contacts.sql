-- The assignment stage's tables in the plans database. Portable DDL: SQLite and PostgreSQL.
-- Written by customer_plans.assign: delete-then-insert per (business_date, branch_id) in one
-- transaction, so a rerun of a date or of one batch of branches replaces its rows whole.
-- branch_id is the branch of the list: the manager's branch, or the customer's branch for a
-- pool list (manager_id 'POOL-<branch_id>').

-- grain: one row per list (manager or branch pool) per business date per rank;
-- a customer is on at most one list per business date
create table if not exists plan_contacts (
    business_date date not null,
    branch_id varchar(32) not null,
    manager_id varchar(48) not null,
    rank integer not null,
    status varchar(16) not null,
    customer_id varchar(32) not null,
    assignment varchar(16) not null,
    home_manager_id varchar(32),
    -- pool and pool_takeover rows: why on the pool, what happened ('manager_left backup')
    assignment_reason varchar(64),
    priority_level integer not null,
    score double precision not null,
    score_value double precision not null,
    score_urgency double precision not null,
    score_risk double precision not null,
    score_difficulty double precision not null,
    -- JSON list, most urgent first, of {"code", "level", "facts"}: codes and typed facts
    -- (customer_plans.assign.facts), spoken in the reader's language at render
    reasons text not null,
    reason_codes varchar(500) not null,
    carried_reason_codes varchar(500),
    channel varchar(16) not null,
    capacity_kind varchar(8),
    -- deferred rows: why, as facts (canonical JSON, customer_plans.assign.capacity):
    -- {"kind", "rank", "slots"}, with "fallback_kind", "fallback_slots" when the other kind
    -- was used up too; rows written before hold English text
    deferred_reason varchar(200),
    first_planned_date date not null,
    -- rows written before words were composed at render (customer_plans.migrate): their
    -- talking points as stored then, JSON by old column name; null for later rows
    recorded_words text,
    rules_hash varchar(64) not null,
    primary key (business_date, manager_id, rank)
);

create unique index if not exists ux_plan_contacts_customer
    on plan_contacts (business_date, customer_id);
create index if not exists ix_plan_contacts_branch on plan_contacts (business_date, branch_id);

-- grain: one row per customer per business date per exclusion reason
create table if not exists plan_exclusions (
    business_date date not null,
    branch_id varchar(32) not null,
    manager_id varchar(48) not null,
    home_manager_id varchar(32),
    customer_id varchar(32) not null,
    reason_code varchar(32) not null,
    dropped_reasons text not null,
    -- the exclusion's facts, canonical JSON (customer_plans.assign.exclusions; capacity: the
    -- deferral's facts; carry_over_expired: customer_plans.assign.feedback), said in the
    -- reader's language by explain; rows written before hold English text
    detail varchar(500) not null,
    rules_hash varchar(64) not null,
    primary key (business_date, customer_id, reason_code)
);

create index if not exists ix_plan_exclusions_branch
    on plan_exclusions (business_date, branch_id);

-- grain: one row per list (manager on the roster, or a list of the previous or current plan)
-- per business date: how the previous plan went
create table if not exists plan_feedback (
    business_date date not null,
    branch_id varchar(32) not null,
    manager_id varchar(48) not null,
    previous_business_date date,
    planned_yesterday integer,
    completed_yesterday integer,
    completion_rate double precision,
    carried_over_count integer not null,
    rules_hash varchar(64) not null,
    primary key (business_date, manager_id)
);

create index if not exists ix_plan_feedback_branch on plan_feedback (business_date, branch_id);
