"""Indicators as Ibis expressions over the warehouse's core tables: the same code on DuckDB and PySpark."""
