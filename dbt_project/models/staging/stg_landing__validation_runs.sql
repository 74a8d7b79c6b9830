with

source as (

    select * from {{ source('landing', 'validation_runs') }}

),

renamed as (

    select
        -- ids
        run_id,
        build_sha256,

        -- dimensions
        passed as is_passed,
        report_dir,
        summary,
        failures,

        -- numbers
        blocking_count,
        warning_count,
        expectations as expectation_count,

        -- timestamps
        validated_at

    from source

)

select * from renamed
