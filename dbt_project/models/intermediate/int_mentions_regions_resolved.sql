-- Mentions from accepted documents (and known indicators), each with a region_id that dim_region will hold:
-- the seed's id when the extractor resolved one, a discovered 'x-<md5>' id when the page
-- named a region the seed does not know, else 'unknown'. Documents set aside with
-- `zonewatch exclude` (int_documents_excluded) leave here, so on every build their
-- mentions reach no fact, conflict or discovered region; staging keeps them as landed.

with

mentions as (

    select * from {{ ref('stg_landing__mentions') }}

),

documents as (

    select * from {{ ref('stg_landing__documents') }}

),

regions as (

    select * from {{ ref('regions') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

excluded as (

    select * from {{ ref('int_documents_excluded') }}

),

accepted_mentions as (

    select
        -- every staging column, category and region_id renamed (no DuckDB-only `* rename`)
        mentions.mention_id,
        mentions.document_id,
        mentions.indicator_id,
        mentions.region_id as extracted_region_id,
        mentions.category as extracted_category,
        mentions.status,
        mentions.unit,
        mentions.qualifier,
        mentions.raw_text,
        mentions.sentence,
        mentions.region_text,
        coalesce(nullif(trim(mentions.region_text), ''), mentions.region_id) as region_name,
        mentions.region_basis,
        mentions.period_basis,
        mentions.extractor_version,
        mentions.basis,
        mentions.value,
        mentions.value_high,
        mentions.confidence,
        mentions.char_start,
        mentions.char_end,
        mentions.period_start,
        mentions.period_end,
        -- the fact table follows the indicator's category in the seed (as dim_indicator)
        indicators.category,
        indicators.unit as indicator_unit,
        documents.url as document_url,
        documents.published_at as document_published_at,
        documents.fetched_at as document_fetched_at

    from mentions
    inner join documents
        on mentions.document_id = documents.document_id
    inner join indicators
        on mentions.indicator_id = indicators.indicator_id
    left join excluded
        on mentions.document_id = excluded.document_id
    where documents.is_accepted
        and excluded.document_id is null

),

final as (

    select
        accepted_mentions.*,
        case
            when regions.region_id is not null then regions.region_id
            when accepted_mentions.region_name is not null
                then 'x-' || {{ zw_md5('accepted_mentions.region_name') }}
            else 'unknown'
        end as region_id,
        case
            when regions.region_id is not null then 'seed'
            when accepted_mentions.region_name is not null then 'discovered'
            else 'unknown'
        end as region_resolution

    from accepted_mentions
    left join regions
        on accepted_mentions.extracted_region_id = regions.region_id

)

select * from final
