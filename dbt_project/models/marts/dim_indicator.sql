-- One row per indicator.

with

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        -- ids
        indicator_id,

        -- dimensions
        category,
        name_zh,
        name_en,
        unit

    from indicators

)

select * from final
