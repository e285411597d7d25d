-- The business date's branch pool lists: how many lists, contacts, and level 1 contacts.
-- binds: business_date
select
    count(distinct manager_id),
    count(*),
    sum(case when priority_level = 1 then 1 else 0 end)
from plan_contacts
where business_date = :business_date
    and manager_id like 'POOL-%'
