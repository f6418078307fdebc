"""Isolated execution: a warm process per target forks one child per invocation."""
