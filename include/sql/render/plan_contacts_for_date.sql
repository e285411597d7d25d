-- Every plan line of the business date (the branch roll-ups).
-- grain: one row per manager per rank.
-- binds: business_date
select
    branch_id,
    manager_id,
    rank,
    status,
    customer_id,
    assignment,
    home_manager_id,
    assignment_reason,
    priority_level,
    score,
    reasons,
    channel,
    capacity_kind
from plan_contacts
where business_date = :business_date
