-- Customers known to the bank on the business date.
-- grain: one row per customer onboarded on or before the business date
with

onboarded as (

    select
        customer_id,
        customer_name,
        birth_date,
        gender,
        national_id,
        mobile_phone,
        email,
        address,
        occupation,
        employer,
        annual_income_cny,
        risk_profile,
        risk_assessed_date,
        is_primary_holder,
        onboarding_date,
        closed_date,
        branch_id,
        manager_id,
        preferred_channel,
        marketing_consent,
        consent_updated_date,
        do_not_contact
    from customers
    where onboarding_date <= :business_date

),

final as (

    select * from onboarded

)

select * from final
