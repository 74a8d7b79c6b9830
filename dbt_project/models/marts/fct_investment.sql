-- One row per distinct investment fact. Body: macros/fact_table.sql.
{{ fact_table('investment') }}
