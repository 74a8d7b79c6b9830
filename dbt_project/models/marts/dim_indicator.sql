-- One row per indicator, with what its values measure (seeds/indicator_measures.csv).

with

indicators as (

    select * from {{ ref('indicators') }}

),

measures as (

    select * from {{ ref('indicator_measures') }}

),

final as (

    select
        -- ids
        indicators.indicator_id,

        -- dimensions
        indicators.category,
        measures.measure,
        indicators.name_zh,
        indicators.name_en,
        indicators.unit

    from indicators
    left join measures
        on indicators.indicator_id = measures.indicator_id

)

select * from final
