-- Customers on the restricted list (限制类客户名单) on the business date.
-- grain: one row per customer on the restricted list on the business date
-- A customer listed more than once keeps the latest listing.
with

listings_in_force as (

    select
        customer_id,
        reason_code,
        listed_date
    from restricted_list
    where listed_date <= :business_date
        and (delisted_date is null or delisted_date > :business_date)

),

ranked as (

    select
        customer_id,
        reason_code,
        listed_date,
        row_number() over (
            partition by customer_id
            order by listed_date desc, reason_code
        ) as listing_rank
    from listings_in_force

),

final as (

    select
        customer_id,
        reason_code,
        listed_date
    from ranked
    where listing_rank = 1

)

select * from final
