-- One row per region: the regions seed plus regions pages name that the seed lacks, with
-- where each sits in the tree: ancestors (region_ids from the top down to the parent) and
-- path (names from the province down to the region itself: 湖北省 > 武汉市 > 东湖新技术开发区).
-- The tree is walked from its roots (no parent) with a recursive CTE, the same SQL on
-- DuckDB (ancestors a VARCHAR[] list) and PostgreSQL (a varchar[] array); a region the walk
-- does not reach (a parent missing from the seed) keeps NULL ancestors and path, which the
-- not_null tests catch.

with recursive

seeded as (

    select * from {{ ref('regions') }}

),

discovered as (

    select * from {{ ref('int_regions_discovered') }}

),

regions as (

    select
        region_id,
        parent_region_id,
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

),

-- the country is left out of path (every region is in it) unless it is the region itself
tree (region_id, ancestors, path, depth) as (

    select
        region_id,
        cast(array[] as varchar[]) as ancestors,
        cast(name_zh as varchar) as path,
        0 as depth

    from regions
    where parent_region_id is null

    union all

    select
        child.region_id,
        array_append(parent.ancestors, parent.region_id) as ancestors,
        cast(
            case
                when parent_row.level = 'country' then child.name_zh
                else parent.path || ' > ' || child.name_zh
            end as varchar
        ) as path,
        parent.depth + 1 as depth

    from tree as parent
    inner join regions as child
        on child.parent_region_id = parent.region_id
    inner join regions as parent_row
        on parent_row.region_id = parent.region_id
    -- the seed is a tree (scripts/build_regions_seed.py); this only bounds a cycle
    where parent.depth < 10

),

final as (

    select
        -- ids
        regions.region_id,
        regions.parent_region_id,

        -- dimensions
        regions.name_zh,
        regions.level,
        regions.aliases,
        regions.is_discovered,
        tree.path,
        tree.ancestors

    from regions
    left join tree
        on regions.region_id = tree.region_id

)

select * from final
