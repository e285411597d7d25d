-- One customer's plan line on the business date, if on a list (explain).
-- binds: business_date, customer_id
select *
from plan_contacts
where business_date = :business_date
    and customer_id = :customer_id
