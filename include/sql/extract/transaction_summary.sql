-- Per-customer transaction facts of the last 90 days, aggregated in the database.
-- grain: one row per customer with a transaction in the last 90 days
-- Customer-initiated means every transaction type except salary_credit, interest and fee.
-- Counts and last dates are as of the business date (later rows are left out, so a rerun
-- of a past date gives the same result); future_dated_txn_count counts transactions dated
-- after the latest business date the core system has closed, which cannot be real.
with

window_transactions as (

    select
        customer_id,
        transaction_date,
        amount_cny,
        transaction_type
    from transactions
    where transaction_date >= :window_90d_start_date

),

latest_closed as (

    select max(business_date) as closed_through_date
    from eod_status

),

classified as (

    select
        window_transactions.customer_id,
        window_transactions.transaction_date,
        window_transactions.amount_cny,
        case when window_transactions.transaction_date <= :business_date then 1 else 0 end
            as is_as_of,
        case when window_transactions.transaction_date > latest_closed.closed_through_date
            then 1 else 0 end as is_future_dated,
        case when window_transactions.transaction_type = 'salary_credit' then 1 else 0 end
            as is_salary_credit,
        case when window_transactions.transaction_type in ('salary_credit', 'interest', 'fee')
            then 0 else 1 end as is_customer_initiated,
        case when window_transactions.transaction_type = 'product_purchase' then 1 else 0 end
            as is_product_purchase,
        case when window_transactions.transaction_type = 'transfer_out_other_bank'
            then 1 else 0 end as is_transfer_out_other_bank
    from window_transactions
    cross join latest_closed

),

per_customer as (

    select
        customer_id,
        sum(case when is_as_of = 1 and is_salary_credit = 1
            and transaction_date >= :window_30d_start_date then 1 else 0 end)
            as salary_credits_30d,
        sum(case when is_as_of = 1 and is_salary_credit = 1
            and transaction_date >= :window_60d_start_date
            and transaction_date < :window_30d_start_date then 1 else 0 end)
            as salary_credits_31_60d,
        sum(case when is_as_of = 1 and is_salary_credit = 1
            and transaction_date < :window_60d_start_date then 1 else 0 end)
            as salary_credits_61_90d,
        max(case when is_as_of = 1 and is_salary_credit = 1 then transaction_date end)
            as last_salary_credit_date,
        sum(case when is_as_of = 1 and is_transfer_out_other_bank = 1
            and transaction_date >= :window_30d_start_date then amount_cny else 0 end)
            as transfer_out_other_bank_30d_cny,
        sum(case when is_as_of = 1 and is_transfer_out_other_bank = 1
            then amount_cny else 0 end) as transfer_out_other_bank_90d_cny,
        sum(case when is_as_of = 1 and is_customer_initiated = 1
            and transaction_date >= :window_30d_start_date then 1 else 0 end)
            as customer_txn_30d,
        sum(case when is_as_of = 1 and is_customer_initiated = 1 then 1 else 0 end)
            as customer_txn_90d,
        max(case when is_as_of = 1 and is_customer_initiated = 1 then transaction_date end)
            as last_customer_txn_date,
        max(case when is_as_of = 1 and is_product_purchase = 1 then transaction_date end)
            as last_product_purchase_date,
        max(case when is_as_of = 1 then transaction_date end) as last_transaction_date,
        sum(is_future_dated) as future_dated_txn_count
    from classified
    group by customer_id

),

final as (

    select * from per_customer

)

select * from final
