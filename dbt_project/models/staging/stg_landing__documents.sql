{{ config(
    materialized='incremental', unique_key='document_id', on_schema_change='fail',
    post_hook="{{ prune_to_source('document_id', source('landing', 'documents'), 'document_id') }}"
) }}

with

source as (

    select * from {{ source('landing', 'documents') }}
    {% if is_incremental() %}
    -- only rows landed since the build this one starts from (the published
    -- warehouse): a re-run over unchanged sources processes none
    where document_id not in (select document_id from {{ this }})
    {% endif %}

),

renamed as (

    select
        -- ids
        document_id,
        sha256 as content_sha256,

        -- dimensions
        url,
        title,
        status,
        reject_reason,
        published_at_source,
        encoding,
        encoding_source,
        extractor_version,
        -- the normalised text that fct_mentions' char_start/char_end point into
        -- (the gate checks every offset against it)
        text,
        status = 'ok' as is_accepted,

        -- numbers
        text_length,
        cjk_share,

        -- timestamps
        published_at,
        fetched_at,
        processed_at

    from source

)

select * from renamed
