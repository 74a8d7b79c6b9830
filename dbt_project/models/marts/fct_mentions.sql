-- One row per mention (a number on an accepted page) that states a fact.

with

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

final as (

    select
        -- ids
        mention_id,
        fact_id,
        document_id,
        indicator_id,
        region_id,

        -- dimensions
        sentence,
        raw_text,
        status,
        unit,
        qualifier,
        region_text,
        region_basis,
        period_basis,
        extractor_version,
        basis,

        -- numbers
        char_start,
        char_end,
        value,
        value_high,
        confidence,

        -- dates
        period_start,
        period_end

    from mentions

)

select * from final
