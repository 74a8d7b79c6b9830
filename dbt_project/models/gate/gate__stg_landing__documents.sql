-- The frame the `documents` suite reads: one row per processed page, its text cut to a
-- head for reports (whole texts would make every chunk megabytes).

select
    * exclude (text),
    coalesce(length(text), 0) as text_chars,
    left(coalesce(text, ''), 80) as text_head

from {{ ref('stg_landing__documents').include(database=false) }}
