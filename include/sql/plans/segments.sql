-- segments: one row per customer per business date (written by customer_plans.segment,
-- delete-then-insert for the business date). Portable DDL: runs on SQLite and PostgreSQL.
-- JSON columns hold canonical JSON text (sorted keys, no spaces), see docs/pipeline.md.
-- Codes and typed facts only, no words: the grid strategy is the words of grid_group, the
-- lifecycle reason those of lifecycle_rule with explanation.lifecycle's facts, each churn
-- signal those of its code with its facts (customer_plans.words.segments).
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
    man_group varchar(3) not null,
    man_difficulty integer not null,
    lifecycle_stage varchar(16) not null,
    previous_lifecycle_stage varchar(16),
    lifecycle_rule varchar(32) not null,
    churn_score double precision not null,
    churn_level varchar(8) not null,
    churn_signals text not null,
    opportunities text not null,
    opportunity_count integer not null,
    open_product_count integer not null,
    last_reached_date date,
    explanation text not null,
    -- rows written before words were composed at render (customer_plans.migrate): their
    -- sentences as stored then, JSON by old column name; null for later rows
    recorded_words text,
    rules_version varchar(64) not null,
    rules_hash varchar(64) not null,
    primary key (business_date, customer_id)
);

-- a customer's history across dates (hysteresis, previous stage, audit questions)
create index if not exists ix_segments_customer on segments (customer_id, business_date);

-- each manager's book for a date (assignment, rendering)
create index if not exists ix_segments_manager on segments (business_date, manager_id);
