with

runs as (

    select * from {{ ref('stg_landing__validation_runs') }}

),

final as (

    select
        run_id,
        is_passed,
        case when is_passed then 'passed' else 'blocked' end as verdict,
        report_dir,
        summary,
        failures,
        build_sha256,
        blocking_count,
        warning_count,
        expectation_count,
        validated_at
    from runs

)

select * from final
