-- The documents set aside now (landing table exclusions, rows not yet undone by
-- `zonewatch include`): one row per document, the latest exclusion if ever more than one
-- is open. int_mentions_regions_resolved leaves their mentions out of the facts;
-- dim_document shows the reason.

with

exclusions as (

    select * from {{ ref('stg_landing__exclusions') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by document_id
            order by excluded_at desc, reason asc
        ) as exclusion_rank

    from exclusions
    where is_current

),

final as (

    select
        -- ids
        document_id,

        -- dimensions
        url,
        reason as excluded_reason,
        excluded_by,

        -- timestamps
        excluded_at

    from ranked
    where exclusion_rank = 1

)

select * from final
