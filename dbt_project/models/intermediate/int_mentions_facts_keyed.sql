-- Each accepted mention with the key of the fact it states (macro fact_key) and the key
-- of its conflict group (same fact but for value and qualifier), then every column of
-- int_mentions_regions_resolved.

with

mentions as (

    select * from {{ ref('int_mentions_regions_resolved') }}

),

final as (

    select
        {{ fact_key(
            'indicator_id', 'region_id', 'period_start', 'period_end',
            'status', 'unit', 'qualifier', 'value'
        ) }} as fact_id,
        {{ conflict_group_key(
            'indicator_id', 'region_id', 'period_start', 'period_end', 'status', 'unit'
        ) }} as conflict_group_id,
        {{ zw_number_key('value') }} as value_key,
        mentions.*

    from mentions

)

select * from final
