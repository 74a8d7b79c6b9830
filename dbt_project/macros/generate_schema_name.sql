{#-
    Use a folder's custom schema verbatim (`staging`, `intermediate`, `seeds`) instead of
    dbt's `<target>_<custom>`; marts have none and land in the target schema (`main`),
    which is what BI tools open first. Table names stay unique across schemas.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
