"""Serve: publish the validated warehouse file, or load it into PostgreSQL."""
