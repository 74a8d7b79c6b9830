-- The frame the `mentions` suite reads: each mention with what its page says at its
-- offsets, so a mention whose raw_text is not the page's text there is caught.

with

mentions as (

    select * from {{ ref('stg_landing__mentions').include(database=false) }}

),

-- joined as they are, not grouped: grouping held every page's text in one hash table
-- (OOM at 100k pages). A repeated document_id repeats its mentions here, and
-- document_id_unique blocks the run anyway.
documents as (

    select document_id, url, text, published_at
    from {{ ref('stg_landing__documents').include(database=false) }}

),

final as (

    select
        mentions.mention_id,
        mentions.document_id,
        documents.url,
        mentions.sentence,
        mentions.raw_text,
        mentions.char_start,
        mentions.char_end,
        mentions.value,
        mentions.unit,
        mentions.qualifier,
        mentions.indicator_id,
        mentions.category,
        mentions.status,
        mentions.period_start,
        mentions.period_end,
        mentions.period_basis,
        mentions.region_id,
        mentions.region_basis,
        year(mentions.period_start) as period_start_year,
        year(mentions.period_end) as period_end_year,
        length(documents.text) as document_text_length,
        documents.document_id is not null as document_found,
        case
            when mentions.char_start >= 0 and mentions.char_end > mentions.char_start
                then coalesce(
                    substr(documents.text, mentions.char_start + 1,
                           mentions.char_end - mentions.char_start) = mentions.raw_text,
                    false)
            else false
        end as raw_text_matches_slice,
        substr(documents.text, greatest(mentions.char_start, 0) + 1,
               greatest(mentions.char_end - mentions.char_start, 0)) as text_slice,
        coalesce(mentions.status = 'target'
                 and mentions.period_end < documents.published_at, false)
            as target_before_page

    from mentions
    left join documents on documents.document_id = mentions.document_id

)

select * from final
