-- One row per fact and vintage (vintage_id): what the pages of a conflict group (same
-- indicator, region, period, status and unit; measure follows the indicator) said, as of
-- when, ALFRED-style. The as-of date of a statement is its page's published_at. Each date
-- the group is stated on has its set of values; consecutive dates with the same set are one
-- vintage (a restatement of the same value is not a new vintage), a date with another set
-- starts the next one (a revision). valid_from is the vintage's first as-of date,
-- valid_to the next vintage's valid_from (NULL for the latest word).
--
-- Undated pages (published_at NULL) are the oldest word: their statements sort before every
-- dated one, so they never revise a dated page and a dated page revises them. A vintage
-- stated only by undated pages has valid_from NULL (since when is not known).
--
-- A date whose pages give more than one value is contested (is_contested): it has no
-- winner, so when it is the latest word no fact of the group is current; fct_conflicts
-- lists the pages that disagree (one page alone giving two values is contested here too,
-- but no conflict there: that takes two pages). Linear in the mentions: no self-join.

with

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

facts as (

    select * from {{ ref('int_facts_collapsed') }}

),

statements as (

    select
        *,
        cast(document_published_at as date) as as_of_date,
        -- undated sorts first and joins as one date
        coalesce(cast(document_published_at as date), cast('0001-01-01' as date)) as as_of_key

    from mentions

),

group_dates as (

    -- per group and as-of date: the values stated that day
    select
        conflict_group_id,
        as_of_key,
        max(as_of_date) as as_of_date,
        count(distinct value_key) as value_count,
        string_agg(distinct value_key, '|' order by value_key) as value_set

    from statements
    group by conflict_group_id, as_of_key

),

changes as (

    select
        *,
        case
            when lag(value_set) over (
                partition by conflict_group_id order by as_of_key
            ) = value_set then 0
            else 1
        end as starts_vintage

    from group_dates

),

numbered as (

    select
        *,
        sum(starts_vintage) over (
            partition by conflict_group_id
            order by as_of_key
            rows between unbounded preceding and current row
        ) as vintage_number

    from changes

),

vintages as (

    select
        conflict_group_id,
        vintage_number,
        min(as_of_date) as valid_from,
        max(value_count) as value_count

    from numbered
    group by conflict_group_id, vintage_number

),

spans as (

    select
        *,
        lead(valid_from) over (
            partition by conflict_group_id order by vintage_number
        ) as next_valid_from,
        lead(vintage_number) over (
            partition by conflict_group_id order by vintage_number
        ) as next_vintage_number

    from vintages

),

vintage_statements as (

    select
        statements.*,
        numbered.vintage_number

    from statements
    inner join numbered
        on statements.conflict_group_id = numbered.conflict_group_id
        and statements.as_of_key = numbered.as_of_key

),

ranked as (

    -- the page that first stated the fact in this vintage: earliest as-of date (undated
    -- last), then fetched_at, url, offset (as int_facts_collapsed picks a fact's source)
    select
        *,
        row_number() over (
            partition by fact_id, vintage_number
            order by
                as_of_date asc nulls last,
                document_fetched_at asc nulls last,
                document_url asc,
                char_start asc,
                mention_id asc
        ) as mention_rank

    from vintage_statements

),

vintage_documents as (

    -- pages stating the fact in this vintage (no DISTINCT in a window on Postgres)
    select fact_id, vintage_number, count(distinct document_id) as vintage_document_count
    from vintage_statements
    group by fact_id, vintage_number

),

first_statements as (

    select
        ranked.*,
        vintage_documents.vintage_document_count

    from ranked
    inner join vintage_documents
        on ranked.fact_id = vintage_documents.fact_id
        and ranked.vintage_number = vintage_documents.vintage_number
    where ranked.mention_rank = 1

),

final as (

    select
        -- ids
        {{ hash_columns(['first_statements.fact_id', 'spans.valid_from']) }} as vintage_id,
        first_statements.fact_id,
        first_statements.conflict_group_id,
        facts.indicator_id,
        facts.region_id,
        first_statements.document_id as source_document_id,
        first_statements.mention_id as evidence_mention_id,

        -- dimensions
        facts.category,
        facts.measure,
        facts.period_grain,
        facts.status,
        facts.unit,
        facts.qualifier,
        first_statements.sentence as evidence,
        first_statements.document_url as source_url,
        spans.value_count > 1 as is_contested,
        spans.next_vintage_number is null and spans.value_count = 1 as is_current,

        -- numbers
        facts.value,
        cast(spans.vintage_number as integer) as vintage_number,
        cast(first_statements.vintage_document_count as integer) as document_count,

        -- dates
        facts.period_start,
        facts.period_end,
        first_statements.as_of_date,
        spans.valid_from,
        spans.next_valid_from as valid_to

    from first_statements
    inner join spans
        on first_statements.conflict_group_id = spans.conflict_group_id
        and first_statements.vintage_number = spans.vintage_number
    inner join facts
        on first_statements.fact_id = facts.fact_id

)

select * from final
