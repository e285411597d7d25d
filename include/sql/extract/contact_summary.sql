-- Per-customer contact facts of the last 90 days, aggregated in the database.
-- grain: one row per customer with a contact in the last 90 days (ending on the business date)
-- Manager-initiated contacts measure coverage and familiarity; customer-initiated ones are
-- enquiries (a need signal). Last dates are timestamps here, cut to dates in staging.
with

window_contacts as (

    select
        customer_id,
        contact_ts,
        initiated_by,
        outcome
    from contact_history
    where contact_ts >= :window_90d_start_date
        and contact_ts < :day_after_business_date

),

per_customer as (

    select
        customer_id,
        sum(case when initiated_by = 'manager' then 1 else 0 end) as manager_contacts_90d,
        sum(case when initiated_by = 'manager' and outcome = 'reached' then 1 else 0 end)
            as reached_contacts_90d,
        max(case when initiated_by = 'manager' then contact_ts end) as last_contact_date,
        max(case when initiated_by = 'manager' and outcome = 'reached' then contact_ts end)
            as last_reached_date,
        sum(case when initiated_by = 'customer' and contact_ts >= :window_30d_start_date
            then 1 else 0 end) as enquiries_30d,
        max(case when initiated_by = 'customer' then contact_ts end) as last_enquiry_date
    from window_contacts
    group by customer_id

),

final as (

    select * from per_customer

)

select * from final
