-- The frame its suite reads: dim_document as published.

select * from {{ ref('dim_document').include(database=false) }}
