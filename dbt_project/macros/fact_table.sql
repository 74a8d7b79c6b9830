{#-
    The body of fct_investment / fct_output / fct_compute: the collapsed facts of one
    category, with exactly the columns CONTRACT.md promises. One table of three, not three
    copies that differ by one word.
-#}
{% macro fact_table(category) %}

with

facts as (

    select * from {{ ref('int_facts_collapsed') }}

),

final as (

    select
        -- ids
        fact_id,
        indicator_id,
        region_id,

        -- dimensions
        measure,
        period_grain,
        status,
        unit,
        qualifier,
        evidence,
        source_url,
        basis,

        -- numbers
        value,
        mention_count,
        document_count,
        confidence,

        -- dates
        period_start,
        period_end

    from facts
    where category = '{{ category }}'

)

select * from final

{% endmacro %}
