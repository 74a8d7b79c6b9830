-- The frame its suite reads: dim_region as published.

select * from {{ ref('dim_region').include(database=false) }}
