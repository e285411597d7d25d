-- The relationship manager roster with each manager's branch.
-- grain: one row per manager on the roster
-- A manager whose branch_id is not in branches keeps the row with a null branch_name
-- (left join), so validation can name the manager instead of losing it.
with

roster as (

    select
        manager_id,
        branch_id,
        manager_name,
        email,
        locale,
        daily_call_capacity,
        daily_visit_capacity,
        status,
        leave_start_date,
        leave_end_date,
        left_date,
        backup_manager_id
    from managers

),

branch_names as (

    select
        branch_id,
        branch_name,
        city
    from branches

),

final as (

    select
        roster.manager_id,
        roster.branch_id,
        branch_names.branch_name,
        branch_names.city,
        roster.manager_name,
        roster.email,
        roster.locale,
        roster.daily_call_capacity,
        roster.daily_visit_capacity,
        roster.status,
        roster.leave_start_date,
        roster.leave_end_date,
        roster.left_date,
        roster.backup_manager_id
    from roster
    left join branch_names
        on branch_names.branch_id = roster.branch_id

)

select * from final
