-- A mention's unit and category should be its indicator's (indicators seed). A mismatch is
-- an extractor or lexicon slip (e.g. a percentage tagged as a CNY indicator): warn, do not
-- block. The fact tables follow the seed's category either way.
{{ config(severity='warn') }}

with

mentions as (

    select * from {{ ref('int_mentions_regions_resolved') }}

),

final as (

    select
        mention_id,
        indicator_id,
        category,
        extracted_category,
        unit,
        indicator_unit

    from mentions
    where
        category <> extracted_category
        or unit <> indicator_unit

)

select * from final
