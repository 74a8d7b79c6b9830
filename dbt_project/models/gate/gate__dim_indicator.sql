-- The frame its suite reads: dim_indicator as published.

select * from {{ ref('dim_indicator').include(database=false) }}
