{#-
    Mentions the quality gate set aside (landing table quarantine) leave staging here, in
    one place: the post-hook removes them whether this build inserted them or an earlier
    one did. Not further down: the gate validates this table (gate__stg_landing__mentions)
    and must not meet a quarantined mention again in the build redone without it.
-#}
{{ config(
    materialized='incremental', unique_key='mention_id', on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where mention_id in (select mention_id from "
        ~ "{{ source('landing', 'quarantine') }})",
        "{{ prune_to_source('mention_id', source('landing', 'mentions'), 'mention_id') }}",
    ]
) }}

with

source as (

    select * from {{ source('landing', 'mentions') }}
    {% if is_incremental() %}
    -- only rows landed since the build this one starts from (the published
    -- warehouse): a re-run over unchanged sources processes none
    where mention_id not in (select mention_id from {{ this }})
    {% endif %}

),

renamed as (

    select
        -- ids
        mention_id,
        document_id,
        indicator_id,
        region_id,

        -- dimensions
        category,
        status,
        unit,
        qualifier,
        raw_text,
        sentence,
        region_text,
        region_basis,
        period_basis,
        extractor_version,
        basis,

        -- numbers
        value,
        value_high,
        confidence,
        char_start,
        char_end,

        -- dates
        period_start,
        period_end

    from source

)

select * from renamed
