"""Build: dbt (seed, run, test) over the landing zone into the warehouse file."""
