-- The branches with their heads: who receives each branch roll-up, in which language.
-- grain: one row per branch
-- A head whose locale the core system leaves empty reads the bank's language
-- (bind parameter bank_locale: the CUSTOMER_PLANS_LOCALE setting), so later stages read one
-- language per branch. Missing names and addresses stay null: validation counts them.
with

source as (

    select
        branch_id,
        branch_name,
        city,
        head_name,
        head_email,
        locale
    from branches

),

final as (

    select
        branch_id,
        branch_name,
        city,
        head_name,
        head_email,
        coalesce(locale, :bank_locale) as locale
    from source

)

select * from final
