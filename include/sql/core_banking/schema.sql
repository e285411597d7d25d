-- The source contract: the core banking tables customer-plans reads.
-- Portable DDL: runs unchanged on SQLite and PostgreSQL.
-- Flags are integers 0/1; amounts are CNY with two decimals; dates are ISO dates.
-- Each table's grain and columns are documented in docs/source-contract.md.

-- one row per business date the core system has closed (end-of-day batch finished)
create table if not exists eod_status (
    business_date date primary key,
    closed_at timestamp not null
);

-- one row per branch, with its head (who receives the branch roll-up); the head's columns
-- may be null: a vacant post, an address not on record, the bank's default language
create table if not exists branches (
    branch_id varchar(16) primary key,
    branch_name varchar(100) not null,
    city varchar(50) not null,
    head_name varchar(100),
    head_email varchar(200),
    locale varchar(10)
);

-- one row per relationship manager, current roster
create table if not exists managers (
    manager_id varchar(16) primary key,
    branch_id varchar(16) not null references branches (branch_id),
    manager_name varchar(100) not null,
    email varchar(200) not null,
    locale varchar(10) not null,
    daily_call_capacity integer not null,
    daily_visit_capacity integer not null,
    status varchar(16) not null,
    leave_start_date date,
    leave_end_date date,
    left_date date,
    backup_manager_id varchar(16)
);

-- one row per customer
create table if not exists customers (
    customer_id varchar(16) primary key,
    customer_name varchar(100) not null,
    birth_date date,
    gender varchar(1),
    national_id varchar(18),
    mobile_phone varchar(20),
    email varchar(200),
    address varchar(200),
    occupation varchar(50),
    employer varchar(100),
    annual_income_cny numeric(18, 2),
    risk_profile varchar(2),
    risk_assessed_date date,
    is_primary_holder integer not null,
    onboarding_date date not null,
    closed_date date,
    branch_id varchar(16) not null,
    manager_id varchar(16),
    preferred_channel varchar(16) not null,
    marketing_consent integer not null,
    consent_updated_date date,
    do_not_contact integer not null
);

-- one row per customer listing on the restricted list (限制类客户名单)
create table if not exists restricted_list (
    customer_id varchar(16) not null,
    reason_code varchar(32) not null,
    listed_date date not null,
    delisted_date date,
    primary key (customer_id, listed_date)
);

-- one row per account of any product kind
create table if not exists accounts (
    account_id varchar(20) primary key,
    customer_id varchar(16) not null,
    product_kind varchar(16) not null,
    product_name varchar(100) not null,
    opened_date date not null,
    closed_date date,
    maturity_date date,
    interest_rate_pct numeric(6, 3),
    principal_cny numeric(18, 2),
    credit_limit_cny numeric(18, 2)
);

-- one row per account per calendar day while the account is open (end-of-day balance)
create table if not exists account_balances (
    account_id varchar(20) not null,
    balance_date date not null,
    balance_cny numeric(18, 2) not null,
    primary key (account_id, balance_date)
);

-- one row per posted transaction
create table if not exists transactions (
    transaction_id varchar(24) primary key,
    account_id varchar(20) not null,
    customer_id varchar(16) not null,
    transaction_date date not null,
    amount_cny numeric(18, 2) not null,
    direction varchar(6) not null,
    channel varchar(16) not null,
    transaction_type varchar(32) not null,
    counterparty_bank varchar(50)
);

-- one row per contact between a manager and a customer (or a customer's enquiry)
create table if not exists contact_history (
    contact_id varchar(24) primary key,
    customer_id varchar(16) not null,
    manager_id varchar(16),
    contact_ts timestamp not null,
    channel varchar(16) not null,
    initiated_by varchar(16) not null,
    purpose varchar(32) not null,
    outcome varchar(16) not null
);

-- one row per complaint
create table if not exists complaints (
    complaint_id varchar(24) primary key,
    customer_id varchar(16) not null,
    opened_date date not null,
    closed_date date,
    status varchar(16) not null,
    category varchar(32) not null
);

create index if not exists ix_customers_manager on customers (manager_id);
create index if not exists ix_accounts_customer on accounts (customer_id);
create index if not exists ix_balances_date on account_balances (balance_date);
create index if not exists ix_transactions_date on transactions (transaction_date);
create index if not exists ix_transactions_customer on transactions (customer_id);
create index if not exists ix_contact_history_customer on contact_history (customer_id);
create index if not exists ix_complaints_customer on complaints (customer_id);
