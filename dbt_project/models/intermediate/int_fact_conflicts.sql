-- One row per fact that disagrees with another page of the same as-of date: same
-- indicator, region, period, status and unit, a different value, stated by a different
-- document published the same day (undated pages count as one date). Neither side wins
-- (int_fact_vintages: no fact of a contested latest date is current). A later page with
-- another value is a revision (int_fact_vintages), not a conflict. Both sides stay in the
-- fact tables; this model flags them. Two values on one page are not a conflict (a page may
-- give a figure and its revision); that is the extractor's business.
--
-- Linear in the mentions: a group is never joined with itself row by row (a group with
-- thousands of values would make millions of pairs). Within one group and date, fact f with
-- value v, on documents D_f, conflicts when some document d' != d (d in D_f) gives another
-- value. With O_v the documents that give a value other than v: |O_v| >= 2 always
-- conflicts; |O_v| = 1 conflicts unless f's only document is that one document. The
-- internal `date_group_id` is the group and the date; a fact contested on several dates
-- counts the other side of its most contested one and gives the latest such date.

with

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

facts as (

    select * from {{ ref('int_facts_collapsed') }}

),

fact_documents as (

    select distinct
        {{ hash_columns(['conflict_group_id', 'cast(document_published_at as date)']) }}
            as date_group_id,
        conflict_group_id,
        cast(document_published_at as date) as as_of_date,
        fact_id,
        value_key,
        document_id

    from mentions

),

document_values as (

    -- per group and document: how many different values the document gives
    select
        date_group_id,
        document_id,
        count(distinct value_key) as value_count,
        min(value_key) as first_value_key

    from fact_documents
    group by date_group_id, document_id

),

date_groups as (

    select distinct date_group_id, as_of_date
    from fact_documents

),

group_documents as (

    select date_group_id, count(*) as document_count
    from document_values
    group by date_group_id

),

single_value_documents as (

    -- per group and value: documents that give this value and no other
    select date_group_id, first_value_key as value_key, count(*) as document_count
    from document_values
    where value_count = 1
    group by date_group_id, first_value_key

),

fact_sides as (

    select
        fact_documents.date_group_id,
        fact_documents.fact_id,
        fact_documents.value_key,
        count(*) as fact_document_count,
        -- a document of f's that gives only f's value is not among O_v
        max(case when document_values.value_count = 1 then 1 else 0 end)
            as has_single_value_document

    from fact_documents
    inner join document_values
        on fact_documents.date_group_id = document_values.date_group_id
        and fact_documents.document_id = document_values.document_id
    group by fact_documents.date_group_id, fact_documents.fact_id, fact_documents.value_key

),

conflicting as (

    select
        fact_sides.date_group_id,
        fact_sides.fact_id,
        fact_sides.value_key

    from fact_sides
    inner join group_documents
        on fact_sides.date_group_id = group_documents.date_group_id
    left join single_value_documents
        on fact_sides.date_group_id = single_value_documents.date_group_id
        and fact_sides.value_key = single_value_documents.value_key
    where group_documents.document_count
            - coalesce(single_value_documents.document_count, 0) >= 2
        or (
            group_documents.document_count
                - coalesce(single_value_documents.document_count, 0) = 1
            and (fact_sides.fact_document_count >= 2
                 or fact_sides.has_single_value_document = 1)
        )

),

group_counts as (

    select date_group_id, count(*) as conflicting_in_group
    from conflicting
    group by date_group_id

),

value_counts as (

    select date_group_id, value_key, count(*) as conflicting_with_value
    from conflicting
    group by date_group_id, value_key

),

per_date as (

    -- the other side is every conflicting fact of the group and date with another value;
    -- it is counted here, not listed (a list per fact grows with the square of the group):
    -- read it with `where conflict_group_id = ... and as_of_date = ...` in fct_conflicts
    select
        conflicting.fact_id,
        date_groups.as_of_date,
        group_counts.conflicting_in_group - value_counts.conflicting_with_value
            as conflicting_fact_count

    from conflicting
    inner join date_groups
        on conflicting.date_group_id = date_groups.date_group_id
    inner join group_counts
        on conflicting.date_group_id = group_counts.date_group_id
    inner join value_counts
        on conflicting.date_group_id = value_counts.date_group_id
        and conflicting.value_key = value_counts.value_key

),

per_fact as (

    select
        fact_id,
        max(conflicting_fact_count) as conflicting_fact_count,
        max(as_of_date) as as_of_date

    from per_date
    group by fact_id

),

flagged_facts as (

    select
        facts.*,
        per_fact.conflicting_fact_count,
        per_fact.as_of_date

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
        flagged_facts.period_end,
        flagged_facts.as_of_date

    from flagged_facts
    inner join group_spread
        on flagged_facts.conflict_group_id = group_spread.conflict_group_id

)

select * from final
