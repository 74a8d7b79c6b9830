-- The units a mention or a fact may carry: the base units of the units seed (what its
-- surface forms convert to). Foreign currencies are recognised there but kept out of the
-- facts (no dated rate table yet). Ephemeral: the target of the `unit` relationships
-- tests, not a table. ingest.gate.spec.seed_enums() reads the seed the same way.
{{ config(materialized='ephemeral') }}

with

units as (

    select * from {{ ref('units') }}

),

final as (

    select distinct unit
    from units
    where kind <> 'foreign'

)

select * from final
