-- one row per business date being run: whoever holds the row is the only run building that
-- date's plans (customer_plans.runlock). The primary key is the lock: two runs racing for a
-- date, or to take over a dead run's row, cannot both insert it.
-- holder_kind 'cli': holder_id 'cli:<host>:<pid>', judged dead when that pid is gone on host.
-- holder_kind 'airflow': holder_id '<dag_id>/<run_id>', pid null, judged by the run's state.
-- acquired_at is UTC.
create table if not exists run_locks (
    business_date date primary key,
    holder_kind varchar(16) not null,
    holder_id varchar(512) not null,
    host varchar(255) not null,
    pid integer,
    acquired_at timestamp not null
);
