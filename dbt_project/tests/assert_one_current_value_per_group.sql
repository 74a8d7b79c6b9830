-- Revisions have one winner: in each conflict group the latest vintage gives exactly one
-- current value unless it is contested (same-date disagreement), then none; and every
-- vintage's span runs forward (valid_from before valid_to).

with

vintages as (

    select * from {{ ref('int_fact_vintages') }}

),

groups as (

    select
        conflict_group_id,
        count(distinct case when is_current then value end) as current_value_count,
        max(case when valid_to is null and is_contested then 1 else 0 end)
            as latest_is_contested,
        max(case when valid_from >= valid_to then 1 else 0 end) as has_backward_span

    from vintages
    group by conflict_group_id

),

final as (

    select * from groups
    where current_value_count <> 1 - latest_is_contested
        or has_backward_span = 1

)

select * from final
