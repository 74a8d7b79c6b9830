-- One row per distinct compute fact. Body: macros/fact_table.sql.
{{ fact_table('compute') }}
