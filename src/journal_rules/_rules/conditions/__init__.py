"""Condition rules: a small typed language over the fact catalogue, compiled to durable_rules
patterns so the engine does the joins (issue 17). See docs/policy-authors.md."""
