"""The shared bottom: findings, setup errors, record classes, atomic writes, size limits, digests.

Every layer imports from here; this package imports no other part of mkdocs_appreg.
"""
