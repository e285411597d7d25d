-- How many customers each churn risk level has on the business date.
-- binds: business_date
select
    churn_level,
    count(*)
from segments
where business_date = :business_date
group by churn_level
