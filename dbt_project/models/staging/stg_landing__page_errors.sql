with

source as (

    select * from {{ source('landing', 'page_errors') }}

),

renamed as (

    select
        -- ids
        sha256 as content_sha256,
        run_id,

        -- dimensions
        url,
        stage,
        reason,

        -- timestamps
        recorded_at

    from source

)

select * from renamed
