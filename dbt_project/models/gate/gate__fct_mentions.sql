-- The frame the `fct_mentions` suite reads: each mention's page and whether its fact
-- made it into a fact table.

with

fact_mentions as (

    select * from {{ ref('fct_mentions').include(database=false) }}

),

documents as (

    select document_id, any_value(url) as url
    from {{ ref('dim_document').include(database=false) }}
    group by document_id

),

facts as (

    select fact_id from {{ ref('fct_investment').include(database=false) }}
    union all
    select fact_id from {{ ref('fct_output').include(database=false) }}
    union all
    select fact_id from {{ ref('fct_compute').include(database=false) }}

),

final as (

    select
        fact_mentions.*,
        documents.url as url,
        coalesce(fact_mentions.fact_id in (select fact_id from facts), false)
            as fact_found

    from fact_mentions
    left join documents on documents.document_id = fact_mentions.document_id

)

select * from final
