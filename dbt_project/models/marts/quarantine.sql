-- One row per quarantined mention, as staged (stg_landing__quarantine).

with

final as (

    select * from {{ ref('stg_landing__quarantine') }}

)

select * from final
