-- One row per fact that disagrees with another: same indicator, region, period, status and
-- unit, a different value, stated by a different document. Both sides stay in the fact
-- tables; this model flags them. Two values on one page are not a conflict (a page may
-- give a figure and its revision); that is the extractor's business.

with

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

facts as (

    select * from {{ ref('int_facts_collapsed') }}

),

conflicting_pairs as (

    select distinct
        this_side.conflict_group_id,
        this_side.fact_id,
        other_side.fact_id as other_fact_id

    from mentions as this_side
    inner join mentions as other_side
        on this_side.conflict_group_id = other_side.conflict_group_id
        and this_side.value_key <> other_side.value_key
        and this_side.document_id <> other_side.document_id

),

per_fact as (

    select
        conflict_group_id,
        fact_id,
        count(distinct other_fact_id) as conflicting_fact_count,
        {{ zw_string_agg('other_fact_id', ',', 'other_fact_id') }} as conflicting_fact_ids

    from conflicting_pairs
    group by conflict_group_id, fact_id

),

flagged_facts as (

    select
        facts.*,
        per_fact.conflicting_fact_count,
        per_fact.conflicting_fact_ids

    from facts
    inner join per_fact
        on facts.fact_id = per_fact.fact_id

),

group_spread as (

    select
        conflict_group_id,
        min(value) as group_min_value,
        max(value) as group_max_value

    from flagged_facts
    group by conflict_group_id

),

final as (

    select
        -- ids
        flagged_facts.fact_id,
        flagged_facts.conflict_group_id,
        flagged_facts.indicator_id,
        flagged_facts.region_id,
        flagged_facts.source_document_id,

        -- dimensions
        flagged_facts.category,
        flagged_facts.status,
        flagged_facts.unit,
        flagged_facts.qualifier,
        flagged_facts.conflicting_fact_ids,
        flagged_facts.evidence,
        flagged_facts.source_url,
        true as is_conflicting,

        -- numbers
        flagged_facts.value,
        group_spread.group_min_value,
        group_spread.group_max_value,
        (group_spread.group_max_value - group_spread.group_min_value)
            / nullif(abs(group_spread.group_max_value), 0) as relative_spread,
        cast(flagged_facts.conflicting_fact_count as integer) as conflicting_fact_count,
        flagged_facts.mention_count,
        flagged_facts.document_count,

        -- dates
        flagged_facts.period_start,
        flagged_facts.period_end

    from flagged_facts
    inner join group_spread
        on flagged_facts.conflict_group_id = group_spread.conflict_group_id

)

select * from final
