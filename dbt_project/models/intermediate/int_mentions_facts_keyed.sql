-- Each accepted mention with the key of the fact it states (macro fact_key) and the key
-- of its conflict group (same fact but for value and qualifier).

with

mentions as (

    select * from {{ ref('int_mentions_regions_resolved') }}

),

keyed as (

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

),

final as (

    select
        -- ids
        fact_id,
        conflict_group_id,
        mention_id,
        document_id,
        indicator_id,
        region_id,
        extracted_region_id,

        -- dimensions
        category,
        status,
        unit,
        qualifier,
        value_key,
        raw_text,
        sentence,
        region_text,
        region_resolution,
        region_basis,
        period_basis,
        extractor_version,
        basis,
        document_url,

        -- numbers
        value,
        value_high,
        confidence,
        char_start,
        char_end,

        -- dates and timestamps
        period_start,
        period_end,
        document_published_at,
        document_fetched_at

    from keyed

)

select * from final
