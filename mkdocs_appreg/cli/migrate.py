"""`appreg migrate [PATH...]`: the command line of `site/migrate.py` (which does the work).

Prints the unified diff by default; `--check` exits 1 when something would change; `--write`
applies it. Pairs that look like YAML / kubectl pairs but are not migrated are listed on stderr
with the reason.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mkdocs_appreg.common.atomic import write_atomically
from mkdocs_appreg.common.errors import ConfigError, InputError

if TYPE_CHECKING:
    from mkdocs_appreg.site.migrate import MigrationPlan

EXIT_CLEAN = 0
EXIT_CHANGES = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Markdown page, or directory searched for *.md, inside the docs directory "
        "(default: the whole docs directory)",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        metavar="FILE",
        help="the MkDocs configuration file (default: %(default)s)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="print nothing but a summary; exit 1 when something would change"
    )
    mode.add_argument("--write", action="store_true", help="apply the changes instead of printing them")


def _pages(paths: list[str], docs_dir: Path) -> list[Path]:
    if not paths:
        return sorted(docs_dir.rglob("*.md"))
    pages: list[Path] = []
    for given in paths:
        path = Path(given).resolve()
        if not path.is_relative_to(docs_dir):
            raise InputError(f"not inside the docs directory {docs_dir}", file=given)
        if path.is_dir():
            pages.extend(sorted(path.rglob("*.md")))
        elif path.is_file():
            pages.append(path)
        else:
            raise InputError("no such file or directory", file=given)
    return list(dict.fromkeys(pages))


def _apply(plan: MigrationPlan) -> None:
    # Templates and pages first, removals last: an interrupted run leaves no page pointing nowhere.
    for change in sorted(plan.changes, key=lambda c: c.new is None):
        try:
            if change.new is None:
                change.path.unlink()
            else:
                write_atomically(change.path, change.new.encode("utf-8"))
        except OSError as error:
            raise InputError(error.strerror or str(error), file=str(change.path)) from None


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """`appreg migrate`; the exit code."""
    # Looked up now, not at import: a test (or a caller) may have replaced them since.
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    from mkdocs_appreg.plugin.config import load_migration_settings

    config_file = Path(args.config_file)
    if not config_file.is_file():
        raise ConfigError("no such file; name the site's mkdocs.yml with -f", file=str(config_file))
    settings, yaml_label, command_label = load_migration_settings(config_file)
    pages = _pages(args.paths, settings.docs_dir)
    # Imported here: every `appreg` run builds this command's arguments, only migrate needs these.
    from mkdocs_appreg.site.migrate import diff, migrate_pages

    plan = migrate_pages(
        pages,
        root=settings.root,
        docs_dir=settings.docs_dir,
        templates_dir=settings.templates_dir,
        template_suffix=settings.template_suffix,
        yaml_label=yaml_label,
        command_label=command_label,
    )
    for skipped in plan.skipped:
        print(f"{settings.display(skipped.page)}:{skipped.line}: not migrated: {skipped.reason}", file=stderr)
    if args.write:
        _apply(plan)
    elif not args.check:
        stdout.write(diff(plan, settings.root))
    pages_changed = {page for page, _, _ in plan.migrated}
    verb = "migrated" if args.write else "would migrate"
    print(
        f"{verb} {len(plan.migrated)} tab pair(s) in {len(pages_changed)} page(s); "
        f"{len(plan.skipped)} left as they are",
        file=stderr,
    )
    if args.check and plan.changes:
        for change in plan.changes:
            print(
                f"would {'remove' if change.new is None else 'write'} {settings.display(change.path)}",
                file=stderr,
            )
        return EXIT_CHANGES
    return EXIT_CLEAN
