-- One row per fact that another page of the same as-of date contradicts (see
-- int_fact_conflicts): no side wins. A later page with another value is a revision
-- (fct_fact_vintages), not a conflict. Both sides are also in their fact table; group them
-- by conflict_group_id and as_of_date.

with

conflicts as (

    select * from {{ ref('int_fact_conflicts') }}

),

final as (

    select
        -- ids
        fact_id,
        conflict_group_id,
        indicator_id,
        region_id,
        source_document_id,

        -- dimensions
        category,
        status,
        unit,
        qualifier,
        evidence,
        source_url,

        -- numbers
        value,
        group_min_value,
        group_max_value,
        relative_spread,
        conflicting_fact_count,
        mention_count,
        document_count,

        -- dates
        period_start,
        period_end,
        as_of_date

    from conflicts

)

select * from final
