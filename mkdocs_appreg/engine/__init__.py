"""The validation engine: YAML documents, CRD schemas, the API server's rules, CEL, core kinds.

It imports neither MkDocs, Markdown nor Jinja (an import-linter contract holds it to that), so
`appreg validate` and any other caller can use it alone.
"""
