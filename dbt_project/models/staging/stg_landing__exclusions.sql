-- The exclusion ledger as written by `zonewatch exclude` / `zonewatch include`: every row,
-- undone ones too (the history). A table, not incremental: the ledger is small and a row
-- changes when its page is included again. int_documents_excluded keeps the current ones.

with

source as (

    select * from {{ source('landing', 'exclusions') }}

),

renamed as (

    select
        -- ids
        document_id,

        -- dimensions
        url,
        target,
        reason,
        excluded_by,
        included_by,
        included_at is null as is_current,

        -- timestamps
        excluded_at,
        included_at

    from source

)

select * from renamed
