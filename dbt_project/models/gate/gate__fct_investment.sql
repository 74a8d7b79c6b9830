-- The frame the `facts` suite reads for fct_investment. Body: macros/gate_fact_frame.sql.

{{ gate_fact_frame('fct_investment') }}
