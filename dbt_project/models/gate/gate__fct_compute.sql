-- The frame the `facts` suite reads for fct_compute. Body: macros/gate_fact_frame.sql.

{{ gate_fact_frame('fct_compute') }}
