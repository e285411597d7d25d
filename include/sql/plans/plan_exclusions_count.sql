-- How many exclusion rows (customer and reason) the business date has.
-- binds: business_date
select count(*)
from plan_exclusions
where business_date = :business_date
