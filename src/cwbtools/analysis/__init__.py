"""Analysis stage: pure functions over the tidy spend table (never reads a config)."""
