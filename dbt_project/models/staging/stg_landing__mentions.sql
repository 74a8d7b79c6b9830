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

quarantined as (

    -- mentions the quality gate set aside (row-level failures): never modelled further
    select mention_id from {{ source('landing', 'quarantine') }}

),

kept as (

    select source.*
    from source
    left join quarantined using (mention_id)
    where quarantined.mention_id is null

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

    from kept

)

select * from renamed
