-- One row: which project state built this warehouse. The next run starts its build
-- copy from the published warehouse (incremental staging) only when the fingerprint of
-- the dbt project and lexicons is unchanged; otherwise it rebuilds from scratch.
with

final as (

    select
        '{{ var("build_fingerprint", "none") }}' as build_fingerprint,
        '{{ invocation_id }}' as dbt_invocation_id,
        current_timestamp as built_at

)

select * from final
