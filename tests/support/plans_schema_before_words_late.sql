-- The plans tables segments and plan_contacts as releases before the words-late migration
-- made them (customer_plans.migrate): the test of the migration starts from these.
create table if not exists segments (
    business_date date not null,
    customer_id varchar(16) not null,
    manager_id varchar(16),
    branch_id varchar(16) not null,
    aum_cny double precision not null,
    aum_adb_cny double precision not null,
    current_balance_cny double precision not null,
    aum_trend_30d_pct double precision,
    aum_trend_90d_pct double precision,
    computed_tier_code varchar(32) not null,
    tier_code varchar(32) not null,
    tier_rank integer not null,
    previous_tier_code varchar(32),
    tier_change varchar(8) not null,
    below_tier_since date,
    familiarity varchar(32) not null,
    reached_contacts_90d integer not null,
    profile_completeness double precision not null,
    grid_group varchar(16) not null,
    grid_strategy_en varchar(200) not null,
    grid_strategy_zh varchar(200) not null,
    man_group varchar(3) not null,
    man_difficulty integer not null,
    lifecycle_stage varchar(16) not null,
    previous_lifecycle_stage varchar(16),
    lifecycle_rule varchar(32) not null,
    lifecycle_reason_en varchar(300) not null,
    lifecycle_reason_zh varchar(300) not null,
    churn_score double precision not null,
    churn_level varchar(8) not null,
    churn_signals text not null,
    opportunities text not null,
    opportunity_count integer not null,
    open_product_count integer not null,
    last_reached_date date,
    explanation text not null,
    rules_version varchar(64) not null,
    rules_hash varchar(64) not null,
    primary key (business_date, customer_id)
);

create index if not exists ix_segments_customer on segments (customer_id, business_date);

create index if not exists ix_segments_manager on segments (business_date, manager_id);

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
    reasons text not null,
    reason_codes varchar(500) not null,
    carried_reason_codes varchar(500),
    channel varchar(16) not null,
    capacity_kind varchar(8),
    deferred_reason varchar(200),
    talking_points_en text not null,
    talking_points_zh text not null,
    first_planned_date date not null,
    rules_hash varchar(64) not null,
    primary key (business_date, manager_id, rank)
);

create unique index if not exists ux_plan_contacts_customer
    on plan_contacts (business_date, customer_id);
create index if not exists ix_plan_contacts_branch on plan_contacts (business_date, branch_id);
