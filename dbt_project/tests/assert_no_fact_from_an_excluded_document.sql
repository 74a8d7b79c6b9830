-- A document set aside with `zonewatch exclude` states nothing in the published tables:
-- none of its mentions is in fct_mentions, and dim_document counts none for it.

with

excluded as (

    select * from {{ ref('int_documents_excluded') }}

),

mentions as (

    select * from {{ ref('fct_mentions') }}

),

documents as (

    select * from {{ ref('dim_document') }}

),

leaked as (

    select excluded.document_id, 'fct_mentions' as published_in
    from excluded
    inner join mentions
        on excluded.document_id = mentions.document_id

    union all

    select excluded.document_id, 'dim_document' as published_in
    from excluded
    inner join documents
        on excluded.document_id = documents.document_id
    where documents.mention_count > 0
        or documents.excluded_reason is null

),

final as (

    select * from leaked

)

select * from final
