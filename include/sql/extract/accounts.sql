-- Accounts held on the business date, with the balance of that day.
-- grain: one row per account opened on or before the business date and not closed
-- more than 90 days before it
-- balance_cny is null when the account has no balance row on the business date;
-- last_balance_date is the latest balance row on or before the business date (both
-- found through the (account_id, balance_date) key, one index probe per account).
with

held_accounts as (

    select
        account_id,
        customer_id,
        product_kind,
        product_name,
        opened_date,
        closed_date,
        maturity_date,
        interest_rate_pct,
        principal_cny,
        credit_limit_cny
    from accounts
    where opened_date <= :business_date
        and (closed_date is null or closed_date >= :accounts_closed_since_date)

),

with_balance as (

    select
        held_accounts.*,
        balance_on_business_date.balance_cny,
        (
            select max(history.balance_date)
            from account_balances as history
            where history.account_id = held_accounts.account_id
                and history.balance_date <= :business_date
        ) as last_balance_date
    from held_accounts
    left join account_balances as balance_on_business_date
        on balance_on_business_date.account_id = held_accounts.account_id
        and balance_on_business_date.balance_date = :business_date

),

final as (

    select
        account_id,
        customer_id,
        product_kind,
        product_name,
        opened_date,
        closed_date,
        maturity_date,
        interest_rate_pct,
        principal_cny,
        credit_limit_cny,
        balance_cny,
        last_balance_date
    from with_balance

)

select * from final
