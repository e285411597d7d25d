-- The business date's plan lines by status: how many contacts, on how many lists.
-- binds: business_date
select
    status,
    count(*),
    count(distinct manager_id)
from plan_contacts
where business_date = :business_date
group by status
