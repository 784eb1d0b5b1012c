"""Templates to resources: the Jinja sandbox, the line map back to template lines, filters, vars."""
