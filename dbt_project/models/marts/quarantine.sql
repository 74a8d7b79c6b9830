with

quarantined as (

    select * from {{ ref('stg_landing__quarantine') }}

),

final as (

    select
        mention_id,
        document_id,
        run_id,
        url,
        sentence,
        raw_text,
        expectation,
        reason,
        quarantined_at
    from quarantined

)

select * from final
