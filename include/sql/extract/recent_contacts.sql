-- Every contact of the last 35 days, for recent-contact suppression and feedback.
-- grain: one row per contact in the last 35 days (ending on the business date)
with

recent as (

    select
        contact_id,
        customer_id,
        manager_id,
        contact_ts,
        channel,
        initiated_by,
        purpose,
        outcome
    from contact_history
    where contact_ts >= :recent_contacts_start_date
        and contact_ts < :day_after_business_date

),

final as (

    select * from recent

)

select * from final
