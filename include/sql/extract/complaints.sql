-- Complaints that matter on the business date.
-- grain: one row per complaint open on the business date or closed in the last 90 days
-- "Open on the business date" is judged from closed_date, not status, so a rerun of a
-- past business date sees the complaint as it stood then.
with

relevant_complaints as (

    select
        complaint_id,
        customer_id,
        opened_date,
        closed_date,
        status,
        category
    from complaints
    where opened_date <= :business_date
        and (closed_date is null or closed_date >= :window_90d_start_date)

),

final as (

    select * from relevant_complaints

)

select * from final
