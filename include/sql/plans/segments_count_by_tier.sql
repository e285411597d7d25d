-- How many customers each tier has on the business date, largest first.
-- binds: business_date
select
    tier_code,
    count(*)
from segments
where business_date = :business_date
group by tier_code
order by count(*) desc
