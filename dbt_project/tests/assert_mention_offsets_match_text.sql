-- design.md: text[char_start:char_end] == raw_text (Python slicing of documents.text).
-- substring() is 1-based and counts code points, like Python str, in DuckDB and in a
-- UTF8 PostgreSQL database (the postgres target needs one; SQL_ASCII would count bytes).
-- A warning here, not an error: the quality gate owns this check (a few bad rows are
-- quarantined, many block), so dbt must not stop the build before the gate can decide.
{{ config(severity='warn') }}

with

mentions as (

    select * from {{ ref('stg_landing__mentions') }}

),

documents as (

    select * from {{ ref('stg_landing__documents') }}

),

final as (

    select
        mentions.mention_id,
        mentions.document_id,
        mentions.raw_text,
        substring(documents.text, mentions.char_start + 1, mentions.char_end - mentions.char_start)
            as text_at_offsets

    from mentions
    inner join documents
        on mentions.document_id = documents.document_id
    where
        documents.text is null
        or substring(documents.text, mentions.char_start + 1, mentions.char_end - mentions.char_start)
            is distinct from mentions.raw_text

)

select * from final
