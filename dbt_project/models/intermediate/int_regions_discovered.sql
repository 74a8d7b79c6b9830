-- Regions that pages name but the regions seed does not know: one row per discovered
-- region_id, so every fact's region_id resolves in dim_region. Add them to the seed
-- (with aliases and a parent) to promote them.

with

mentions as (

    select * from {{ ref('int_mentions_regions_resolved') }}

),

discovered as (

    select
        region_id,
        min(region_name) as name_zh,
        count(distinct mention_id) as mention_count

    from mentions
    where region_resolution = 'discovered'
    group by region_id

),

final as (

    select
        -- ids
        region_id,
        cast(null as varchar) as parent_region_id,

        -- dimensions
        name_zh,
        'unknown' as level,
        cast(null as varchar) as aliases,

        -- numbers
        cast(mention_count as integer) as mention_count

    from discovered

)

select * from final
