"""Cost model and report tooling for "Self-host LLM vs API": data loading, model, tables, charts, runner."""
