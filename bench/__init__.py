"""Benchmarks of mkdocs-appreg, each against a baseline measured in the same run: `python -m bench`."""
