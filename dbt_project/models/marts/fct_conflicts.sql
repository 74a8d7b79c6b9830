-- One row per fact that another page contradicts (see int_fact_conflicts). Both sides are
-- also in their fact table; group them by conflict_group_id.

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
        period_end

    from conflicts

)

select * from final
