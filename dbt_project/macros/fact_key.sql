{#- md5 over several expressions joined by '|'; NULL becomes '' so the hash is total. -#}
{% macro hash_columns(exprs) -%}
    {%- set parts = [] -%}
    {%- for e in exprs -%}
        {%- do parts.append("coalesce(cast(" ~ e ~ " as varchar), '')") -%}
    {%- endfor -%}
    {{ zonewatch.zw_md5(parts | join(" || '|' || ")) }}
{%- endmacro %}


{#-
    The stable key of a fact: what makes two mentions state the same fact. The value goes
    through zw_number_key (12 significant digits) so float noise does not split a fact.
    Changing this changes every fact_id in the warehouse: treat it as a contract.
-#}
{% macro fact_key(indicator_id, region_id, period_start, period_end, status, unit, qualifier, value) -%}
    {{ zonewatch.hash_columns([
        indicator_id, region_id, period_start, period_end, status, unit, qualifier,
        zonewatch.zw_number_key(value),
    ]) }}
{%- endmacro %}


{#- The key of a conflict group: the fact key without value and qualifier. -#}
{% macro conflict_group_key(indicator_id, region_id, period_start, period_end, status, unit) -%}
    {{ zonewatch.hash_columns([
        indicator_id, region_id, period_start, period_end, status, unit,
    ]) }}
{%- endmacro %}
