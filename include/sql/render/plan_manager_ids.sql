-- Every manager with at least one plan line on the business date (own, covered or pool).
-- grain: one row per manager.
-- binds: business_date
select distinct manager_id
from plan_contacts
where business_date = :business_date
