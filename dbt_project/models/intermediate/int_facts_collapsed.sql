-- One row per distinct fact, however many pages or sentences repeat it. The evidence
-- sentence and source_url come from the earliest mention: the earliest page (published_at,
-- then fetched_at, then url; undated pages last), then the first offset in it. The
-- confidence and basis are the best mention's: the fact is as sure as its surest statement.
-- measure is the indicator's (seeds/indicator_measures.csv); period_grain comes from the
-- period (macro period_grain). Neither is in fact_id: adding them changed no id.

with

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

measures as (

    select * from {{ ref('indicator_measures') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by fact_id
            order by
                document_published_at asc nulls last,
                document_fetched_at asc nulls last,
                document_url asc,
                char_start asc,
                mention_id asc
        ) as mention_rank

    from mentions

),

earliest as (

    select * from ranked where mention_rank = 1

),

best as (

    select fact_id, confidence, basis
    from (
        select
            fact_id,
            confidence,
            basis,
            row_number() over (
                partition by fact_id order by confidence desc, mention_id asc
            ) as confidence_rank
        from mentions
    ) as by_confidence
    where confidence_rank = 1

),

counted as (

    select
        fact_id,
        count(distinct mention_id) as mention_count,
        count(distinct document_id) as document_count

    from mentions
    group by fact_id

),

final as (

    select
        -- ids
        earliest.fact_id,
        earliest.conflict_group_id,
        earliest.indicator_id,
        earliest.region_id,
        earliest.document_id as source_document_id,
        earliest.mention_id as evidence_mention_id,

        -- dimensions
        earliest.category,
        measures.measure,
        {{ period_grain('earliest.period_start', 'earliest.period_end') }} as period_grain,
        earliest.status,
        earliest.unit,
        earliest.qualifier,
        earliest.sentence as evidence,
        earliest.document_url as source_url,
        best.basis,

        -- numbers
        earliest.value,
        earliest.value_high,
        cast(counted.mention_count as integer) as mention_count,
        cast(counted.document_count as integer) as document_count,
        best.confidence,

        -- dates and timestamps
        earliest.period_start,
        earliest.period_end,
        earliest.document_published_at as source_published_at

    from earliest
    inner join counted
        on earliest.fact_id = counted.fact_id
    inner join best
        on earliest.fact_id = best.fact_id
    left join measures
        on earliest.indicator_id = measures.indicator_id

)

select * from final
