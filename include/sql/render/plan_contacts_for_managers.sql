-- The plan lines of a batch of managers for one business date, in rank order.
-- grain: one row per manager per rank (plan_contacts), planned and deferred.
-- binds: business_date, manager_ids (expanding)
with

contacts as (

    select
        business_date,
        branch_id,
        manager_id,
        rank,
        status,
        customer_id,
        assignment,
        home_manager_id,
        assignment_reason,
        priority_level,
        score,
        reasons,
        channel
    from plan_contacts
    where business_date = :business_date
        and manager_id in :manager_ids

),

final as (

    select * from contacts

)

select * from final
order by manager_id, rank
