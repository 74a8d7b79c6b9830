-- Every region's place in the tree follows its parent's: ancestors are the parent's
-- ancestors then the parent, path the parent's path then ' > ' and the name (the
-- country's children start a path of their own), and a root has no ancestors and its name
-- as its path. Rows returned are regions whose ancestors or path say otherwise.

with

regions as (

    select * from {{ ref('dim_region') }}

),

checked as (

    select
        child.region_id,
        case
            when child.parent_region_id is null then
                cardinality(child.ancestors) = 0 and child.path = child.name_zh
            else
                child.ancestors = array_append(parent.ancestors, parent.region_id)
                and child.path = case
                    when parent.level = 'country' then child.name_zh
                    else parent.path || ' > ' || child.name_zh
                end
        end as is_consistent

    from regions as child
    left join regions as parent
        on child.parent_region_id = parent.region_id

),

final as (

    select * from checked
    where is_consistent is not true

)

select * from final
