-- The segments a batch of plans shows: the managers' own books (for the book chart)
-- and every customer on their plans (covered colleagues' customers included).
-- grain: one row per customer.
-- binds: business_date, manager_ids (expanding)
with

planned_customers as (

    select distinct customer_id
    from plan_contacts
    where business_date = :business_date
        and manager_id in :manager_ids

),

final as (

    select
        segments.customer_id,
        segments.manager_id,
        segments.branch_id,
        segments.tier_code,
        segments.lifecycle_stage,
        segments.aum_cny,
        segments.aum_trend_90d_pct,
        segments.churn_level,
        segments.churn_score
    from segments
    where segments.business_date = :business_date
        and (
            segments.manager_id in :manager_ids
            or segments.customer_id in (select customer_id from planned_customers)
        )

)

select * from final
