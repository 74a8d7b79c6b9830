{#-
    Post-hook for the incremental staging models: delete rows whose key is no longer in
    the landing source, so staging always mirrors the landing zone it was built from.
    Without it a build that starts from another landing copy (a Postgres database served
    from a different workdir, a landing file restored from backup) would keep the old
    rows and publish facts the landing zone no longer holds.
-#}
{% macro prune_to_source(this_key, source_relation, source_key) -%}
delete from {{ this }}
where not exists (
    select 1 from {{ source_relation }} as landed
    where landed.{{ source_key }} = {{ this }}.{{ this_key }}
)
{%- endmacro %}
