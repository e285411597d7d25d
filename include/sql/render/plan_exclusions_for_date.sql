-- Why customers were left off the plans on the business date.
-- grain: one row per excluded customer and reason.
-- binds: business_date
select
    customer_id,
    manager_id,
    reason_code
from plan_exclusions
where business_date = :business_date
