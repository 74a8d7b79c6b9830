-- One row per region: the regions seed plus regions pages name that the seed lacks.

with

seeded as (

    select * from {{ ref('regions') }}

),

discovered as (

    select * from {{ ref('int_regions_discovered') }}

),

final as (

    select
        -- ids
        region_id,
        parent_region_id,

        -- dimensions
        name_zh,
        level,
        nullif(aliases, '') as aliases,
        false as is_discovered

    from seeded

    union all

    select
        region_id,
        parent_region_id,
        name_zh,
        level,
        aliases,
        true as is_discovered

    from discovered

)

select * from final
