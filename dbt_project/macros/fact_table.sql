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

currency as (

    -- the latest word of its group (int_fact_vintages): a later page that restates the
    -- group with another value makes this fact a revised, no longer current, vintage
    select fact_id, bool_or(is_current) as is_current
    from {{ ref('int_fact_vintages') }}
    group by fact_id

),

final as (

    select
        -- ids
        facts.fact_id,
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
        coalesce(currency.is_current, false) as is_current,

        -- numbers
        value,
        mention_count,
        document_count,
        confidence,

        -- dates
        period_start,
        period_end

    from facts
    left join currency
        on facts.fact_id = currency.fact_id
    where category = '{{ category }}'

)

select * from final

{% endmacro %}
