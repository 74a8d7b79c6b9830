-- One row per distinct output fact. Body: macros/fact_table.sql.
{{ fact_table('output') }}
