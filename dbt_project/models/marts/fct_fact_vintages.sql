-- One row per fact and vintage (vintage_id): every value a group of pages gave for one
-- indicator, region, period, status and unit, with the span in which it was the latest
-- word (valid_from .. valid_to, NULL for the latest). Rules: int_fact_vintages.

with

vintages as (

    select * from {{ ref('int_fact_vintages') }}

),

final as (

    select
        -- ids
        vintage_id,
        fact_id,
        conflict_group_id,
        indicator_id,
        region_id,
        source_document_id,

        -- dimensions
        category,
        measure,
        period_grain,
        status,
        unit,
        qualifier,
        evidence,
        source_url,
        is_current,
        is_contested,

        -- numbers
        value,
        vintage_number,
        document_count,

        -- dates
        period_start,
        period_end,
        as_of_date,
        valid_from,
        valid_to

    from vintages

)

select * from final
