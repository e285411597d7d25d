-- each customer's latest segments row dated before the business date, within the
-- lookback window: the history that tier hysteresis and the previous lifecycle stage use.
-- binds: business_date, lookback_start_date
with earlier as (

    select
        customer_id,
        max(business_date) as business_date
    from segments
    where business_date < :business_date
        and business_date >= :lookback_start_date
    group by customer_id

),

final as (

    select
        segments.customer_id,
        segments.business_date,
        segments.tier_code,
        segments.below_tier_since,
        segments.lifecycle_stage
    from segments
    inner join earlier
        on segments.customer_id = earlier.customer_id
        and segments.business_date = earlier.business_date

)

select * from final
