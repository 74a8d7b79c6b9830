-- One row per processed page, accepted or rejected (with the reason). Facts come only
-- from accepted pages that are not set aside (`zonewatch exclude`): an excluded page
-- stays here with its excluded_reason and no mentions.

with

documents as (

    select * from {{ ref('stg_landing__documents') }}

),

mentions as (

    select * from {{ ref('int_mentions_facts_keyed') }}

),

excluded as (

    select * from {{ ref('int_documents_excluded') }}

),

mention_counts as (

    select
        document_id,
        count(*) as mention_count,
        count(distinct fact_id) as fact_count

    from mentions
    group by document_id

),

final as (

    select
        -- ids
        documents.document_id,
        documents.content_sha256,

        -- dimensions
        documents.url,
        documents.title,
        documents.status,
        documents.reject_reason,
        excluded.excluded_reason,
        documents.published_at_source,
        documents.encoding,
        documents.extractor_version,

        -- numbers
        documents.text_length,
        documents.cjk_share,
        cast(coalesce(mention_counts.mention_count, 0) as integer) as mention_count,
        cast(coalesce(mention_counts.fact_count, 0) as integer) as fact_count,

        -- dates and timestamps
        documents.published_at,
        documents.fetched_at,
        documents.processed_at

    from documents
    left join mention_counts
        on documents.document_id = mention_counts.document_id
    left join excluded
        on documents.document_id = excluded.document_id

)

select * from final
