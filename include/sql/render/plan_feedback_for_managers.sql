-- Yesterday's plan completion of a batch of managers, as recorded on the business date.
-- grain: one row per manager.
-- binds: business_date, manager_ids (expanding)
select
    manager_id,
    planned_yesterday,
    completed_yesterday,
    completion_rate
from plan_feedback
where business_date = :business_date
    and manager_id in :manager_ids
