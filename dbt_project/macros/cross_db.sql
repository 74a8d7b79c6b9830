{#-
    Adapter-specific SQL, one dispatched macro per concern. A second target (Postgres)
    needs only a `postgres__` implementation here; models never change.
-#}

{#- md5 of a text expression, as 32 lowercase hex characters. -#}
{% macro zw_md5(expr) -%}
    {{ return(adapter.dispatch('zw_md5', 'zonewatch')(expr)) }}
{%- endmacro %}

{% macro default__zw_md5(expr) -%}
    md5(cast({{ expr }} as varchar))
{%- endmacro %}

{% macro duckdb__zw_md5(expr) -%}
    md5(cast({{ expr }} as varchar))
{%- endmacro %}

{% macro postgres__zw_md5(expr) -%}
    md5(cast({{ expr }} as text))
{%- endmacro %}


{#-
    A number as text with `digits` significant digits, so values that differ only by
    float noise (0.1 + 0.2) give the same text while every printed digit counts:
    1234.561亿 and 1234.564亿 are two facts (12 digits: more than any page prints, fewer than the
    ~16 a double holds, so arithmetic noise such as 1e11 + 1e-3 still rounds away).
    The text is a key, never shown: each target only needs to be self-consistent.
-#}
{% macro zw_number_key(expr, digits=12) -%}
    {{ return(adapter.dispatch('zw_number_key', 'zonewatch')(expr, digits)) }}
{%- endmacro %}

{% macro default__zw_number_key(expr, digits=12) -%}
    cast(round(cast({{ expr }} as numeric), {{ digits }}) as varchar)
{%- endmacro %}

{% macro duckdb__zw_number_key(expr, digits=12) -%}
    printf('%.{{ digits }}g', cast({{ expr }} as double))
{%- endmacro %}

{#-
    Postgres has no printf; rebuild C's `%.<digits>g` so fact_ids match the DuckDB build.
    to_char(..., '9.99999EEEE') is C's `%.5e` (exactly rounded mantissa and exponent X);
    %g prints that in e-style when X < -4 or X >= digits, else in f-style with the same
    digits, and drops trailing zeros either way (trim_scale on the exact numeric).
-#}
{% macro postgres__zw_number_key(expr, digits=12) -%}
    {%- set num -%} cast({{ expr }} as double precision) {%- endset -%}
    {%- set e_style -%} trim(to_char({{ num }}, '9.{{ "9" * (digits - 1) }}EEEE')) {%- endset -%}
    {%- set mantissa -%} cast(split_part({{ e_style }}, 'e', 1) as numeric) {%- endset -%}
    {%- set exponent -%} cast(split_part({{ e_style }}, 'e', 2) as integer) {%- endset -%}
    (case
        when {{ num }} is null then null
        when {{ num }} = cast('NaN' as double precision) then 'nan'
        when {{ num }} = cast('Infinity' as double precision) then 'inf'
        when {{ num }} = cast('-Infinity' as double precision) then '-inf'
        when {{ exponent }} < -4 or {{ exponent }} >= {{ digits }} then
            cast(trim_scale({{ mantissa }}) as text)
            || 'e' || (case when {{ exponent }} < 0 then '-' else '+' end)
            || (case when abs({{ exponent }}) < 10 then '0' else '' end)
            || cast(abs({{ exponent }}) as text)
        else cast(trim_scale({{ mantissa }} * power(cast(10 as numeric), {{ exponent }})) as text)
    end)
{%- endmacro %}
