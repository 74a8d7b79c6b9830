with

source as (

    select * from {{ source('landing', 'quarantine') }}

),

renamed as (

    select
        -- ids
        mention_id,
        document_id,
        run_id,

        -- dimensions
        url,
        sentence,
        raw_text,
        expectation,
        reason,

        -- timestamps
        quarantined_at

    from source

)

select * from renamed
