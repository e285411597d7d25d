-- Migrates a plan_deliveries ledger from before branch roll-ups were emailed: every row in
-- it is a manager's plan. Run once, when the column is missing (customer_plans.deliver).
alter table plan_deliveries add column document_kind varchar(16) not null default 'plan'
