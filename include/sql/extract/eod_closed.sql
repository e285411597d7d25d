-- Is the business date closed? One row: closed_count is 1 when the core system's
-- end-of-day batch has finished for the business date, 0 when it has not.
-- grain: one row
with

closed_dates as (

    select business_date
    from eod_status
    where business_date = :business_date

),

final as (

    select count(*) as closed_count
    from closed_dates

)

select * from final
