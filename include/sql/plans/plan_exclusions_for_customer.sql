-- Why one customer was left off the business date's plans, one row per reason (explain).
-- binds: business_date, customer_id
select *
from plan_exclusions
where business_date = :business_date
    and customer_id = :customer_id
order by reason_code
