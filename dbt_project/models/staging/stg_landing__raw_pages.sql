{{ config(
    materialized='incremental', unique_key='content_sha256', on_schema_change='fail',
    post_hook="{{ prune_to_source('content_sha256', source('landing', 'raw_pages'), 'sha256') }}"
) }}

with

source as (

    select * from {{ source('landing', 'raw_pages') }}
    {% if is_incremental() %}
    -- only rows landed since the build this one starts from (the published
    -- warehouse): a re-run over unchanged sources processes none
    where sha256 not in (select content_sha256 from {{ this }})
    {% endif %}

),

renamed as (

    select
        -- ids
        sha256 as content_sha256,

        -- dimensions
        url,
        source,
        path,
        headers,
        sidecar,

        -- numbers
        http_status,
        size as size_bytes,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
