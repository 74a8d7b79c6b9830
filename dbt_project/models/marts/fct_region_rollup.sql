-- One row per region and reported figure key (indicator, measure, unit, status,
-- period_grain, period_start, period_end), at every level of the tree: the figure the
-- pages give for that region itself (the current fact: is_current), never a sum of its
-- children, and how many of its direct children report the same key (coverage).
--
-- Rows: a region that reports the key itself, and a region one of whose direct children
-- reports it (value NULL, is_reported false: the pages give the children's figures, not
-- this one's). So a city whose districts report their GDP shows 3 of its 13 districts
-- reporting and no GDP of its own unless a page states it; adding the district rows of
-- this table to the city's would double count.

with

regions as (

    select * from {{ ref('dim_region') }}

),

facts as (

    {% for table in ['fct_investment', 'fct_output', 'fct_compute'] %}
    select
        fact_id,
        indicator_id,
        region_id,
        measure,
        unit,
        status,
        qualifier,
        period_grain,
        period_start,
        period_end,
        value,
        evidence,
        source_url

    from {{ ref(table) }}
    where is_current
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

children as (

    select
        parent_region_id as region_id,
        count(*) as child_regions

    from regions
    where parent_region_id is not null
    group by parent_region_id

),

-- each key a child reports, at its parent
reported_by_children as (

    select
        regions.parent_region_id as region_id,
        facts.indicator_id,
        facts.measure,
        facts.unit,
        facts.status,
        facts.period_grain,
        facts.period_start,
        facts.period_end,
        count(distinct facts.region_id) as children_reporting

    from facts
    inner join regions
        on facts.region_id = regions.region_id
    where regions.parent_region_id is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

keys as (

    select distinct
        region_id, indicator_id, measure, unit, status, period_grain, period_start, period_end
    from facts

    union

    select
        region_id, indicator_id, measure, unit, status, period_grain, period_start, period_end
    from reported_by_children

),

final as (

    select
        -- ids
        {{ zw_md5(
            "keys.region_id || '|' || keys.indicator_id || '|' || keys.measure || '|' || keys.unit"
            ~ " || '|' || keys.status || '|' || keys.period_grain"
            ~ " || '|' || coalesce(cast(keys.period_start as varchar), '')"
            ~ " || '|' || coalesce(cast(keys.period_end as varchar), '')"
            ~ " || '|' || coalesce(facts.fact_id, '')"
        ) }} as rollup_id,
        keys.region_id,
        regions.parent_region_id,
        facts.fact_id,
        keys.indicator_id,

        -- dimensions
        regions.name_zh as region_name_zh,
        regions.level,
        regions.path,
        keys.measure,
        keys.unit,
        keys.status,
        keys.period_grain,
        facts.qualifier,
        facts.fact_id is not null as is_reported,
        facts.evidence,
        facts.source_url,

        -- numbers
        facts.value,
        cast(coalesce(children.child_regions, 0) as integer) as child_regions,
        cast(coalesce(reported_by_children.children_reporting, 0) as integer)
            as children_reporting,

        -- dates
        keys.period_start,
        keys.period_end

    from keys
    inner join regions
        on keys.region_id = regions.region_id
    left join facts
        on {{ same_figure('keys', 'facts') }}
    left join children
        on keys.region_id = children.region_id
    left join reported_by_children
        on {{ same_figure('keys', 'reported_by_children') }}

)

select * from final
