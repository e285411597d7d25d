-- One customer's segments row on the business date (explain).
-- binds: business_date, customer_id
select *
from segments
where business_date = :business_date
    and customer_id = :customer_id
