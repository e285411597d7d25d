-- Every customer's segment on the business date, the columns the branch roll-ups count.
-- grain: one row per customer.
-- binds: business_date
select
    customer_id,
    manager_id,
    branch_id,
    tier_code,
    lifecycle_stage,
    churn_level,
    churn_score
from segments
where business_date = :business_date
