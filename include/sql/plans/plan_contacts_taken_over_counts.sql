-- The business date's contacts taken over from a branch pool, and how many are level 1.
-- binds: business_date
select
    count(*),
    sum(case when priority_level = 1 then 1 else 0 end)
from plan_contacts
where business_date = :business_date
    and assignment = 'pool_takeover'
