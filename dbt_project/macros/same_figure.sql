{% macro same_figure(a, b) -%}
{#- Join condition: relations `a` and `b` give the same reported figure key (region,
    indicator, measure, unit, status, period grain, period; a NULL period bound matches a
    NULL), as fct_region_rollup keys its rows. -#}
{{ a }}.region_id = {{ b }}.region_id
        and {{ a }}.indicator_id = {{ b }}.indicator_id
        and {{ a }}.measure = {{ b }}.measure
        and {{ a }}.unit = {{ b }}.unit
        and {{ a }}.status = {{ b }}.status
        and {{ a }}.period_grain = {{ b }}.period_grain
        and {{ a }}.period_start is not distinct from {{ b }}.period_start
        and {{ a }}.period_end is not distinct from {{ b }}.period_end
{%- endmacro %}
