-- Yesterday's plan completion of every manager, as recorded on the business date.
-- grain: one row per manager.
-- binds: business_date
select
    manager_id,
    planned_yesterday,
    completed_yesterday,
    completion_rate
from plan_feedback
where business_date = :business_date
