{#-
    A fact table as the gate's `facts` suite reads it: every column, plus the years of
    its period (expectations bound years, not dates).
-#}
{% macro gate_fact_frame(table) -%}
select
    *,
    year(period_start) as period_start_year,
    year(period_end) as period_end_year

from {{ ref(table).include(database=false) }}
{%- endmacro %}
