-- Every collapsed fact lands in exactly one of fct_investment / fct_output / fct_compute,
-- so fct_mentions.fact_id -> int_facts_collapsed means -> the union of the fact tables.

with

facts as (

    select * from {{ ref('int_facts_collapsed') }}

),

published as (

    select fact_id from {{ ref('fct_investment') }}
    union all
    select fact_id from {{ ref('fct_output') }}
    union all
    select fact_id from {{ ref('fct_compute') }}

),

placed as (

    select
        facts.fact_id,
        count(published.fact_id) as table_count

    from facts
    left join published
        on facts.fact_id = published.fact_id
    group by facts.fact_id

),

final as (

    select * from placed where table_count <> 1

)

select * from final
