{#-
    The grain of a fact's period (seeds/enums/period_grains.csv), from period_start and
    period_end as ingest.process.extract.periods writes them: a point (start = end) is
    `as_of`; a span over several calendar years is `plan_period`; 1 Jan–31 Dec is `year`;
    a calendar quarter is `quarter`; any other span from 1 January is `year_to_date`; one
    month is `month`; anything else inside one year is `part_year`; no period is
    `unknown`. Plain `extract`, so DuckDB and Postgres agree.
-#}
{% macro period_grain(period_start, period_end) -%}
    {%- set sy -%} extract(year from {{ period_start }}) {%- endset -%}
    {%- set ey -%} extract(year from {{ period_end }}) {%- endset -%}
    {%- set sm -%} extract(month from {{ period_start }}) {%- endset -%}
    {%- set em -%} extract(month from {{ period_end }}) {%- endset -%}
    {%- set sd -%} extract(day from {{ period_start }}) {%- endset -%}
    {%- set ed -%} extract(day from {{ period_end }}) {%- endset -%}
    (case
        when {{ period_start }} is null or {{ period_end }} is null then 'unknown'
        when {{ period_start }} = {{ period_end }} then 'as_of'
        when {{ sy }} <> {{ ey }} then 'plan_period'
        when {{ sm }} = 1 and {{ sd }} = 1 and {{ em }} = 12 and {{ ed }} = 31 then 'year'
        when {{ sd }} = 1 and {{ sm }} in (1, 4, 7, 10) and {{ em }} = {{ sm }} + 2
            and {{ ed }} = (case when {{ em }} in (3, 12) then 31 else 30 end) then 'quarter'
        when {{ sm }} = 1 and {{ sd }} = 1 then 'year_to_date'
        when {{ sm }} = {{ em }} then 'month'
        else 'part_year'
    end)
{%- endmacro %}
