"""The `appreg` command line: parse options, call the library, return an exit code.

Exit codes: 0 no finding is an error, 1 at least one is, 2 usage or setup error (argparse, an
unreadable input, an invalid CRD), 130 interrupted. Setup errors are one line on stderr, never a
traceback; problems in the inputs themselves are findings, written by a reporter on stdout.

Subcommands live in `COMMANDS`, so `check` and `render` plug in with an entry each.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TextIO

from mkdocs_appreg import __version__
from mkdocs_appreg.cli.parallel import validate_texts
from mkdocs_appreg.cli.reporters import REPORTERS, one_line, rule_counts
from mkdocs_appreg.common.cachefs import CacheRoot
from mkdocs_appreg.common.errors import AppregError, ConfigError, CrdError, InputError
from mkdocs_appreg.common.findings import FAIL_ON_LEVELS, Finding, failing
from mkdocs_appreg.common.limits import MAX_FILE_BYTES, FileTooLarge, read_limited
from mkdocs_appreg.common.utf8 import check_utf8, undecodable
from mkdocs_appreg.engine.corekinds import CoreSchemas
from mkdocs_appreg.engine.crdcache import CrdCache
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.pages.extract import comment_ignore
from mkdocs_appreg.site.check import (
    SCHEMA_MISSING_RULE,
    check_site,
    core_schemas,
    once_per_kind,
    validate_relations,
)
from mkdocs_appreg.site.project import (
    LEAK_RULE,
    ProjectSettings,
    build_registry,
    leaks_in,
    leaks_in_published,
    published_data_files,
    render_project,
    scrub_cache,
    write_cache,
)

if TYPE_CHECKING:
    # Annotations only: `appreg validate` must not import Jinja (tests/test_layout.py).
    from mkdocs_appreg.plugin.config import LoadedSite
    from mkdocs_appreg.rendering.rendered import Rendered
    from mkdocs_appreg.site.options import StandaloneSite

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports when `| head` closes early

STDIN = "-"
STDIN_DISPLAY = "<stdin>"


# NamedTuples, not dataclasses (common/records.py says why).
class Command(NamedTuple):
    """One subcommand: its help line, how it declares its options, and how it runs.

    Attributes:
        help: One line shown in `appreg --help`.
        add_arguments: Adds the subcommand's options to its parser.
        run: Runs the subcommand with the parsed options; returns the exit code.
    """

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- validate -----------------------------------------------------------------------------------

VALIDATE_FORMATS = ("text", "json", "github", "junit", "tap")


class ValidateOptions(NamedTuple):
    """What `appreg validate` was asked to do.

    Attributes:
        files: Input files as given; `-` is stdin.
        crds: CRD files or directories added to the bundled CRDs, in order.
        format: Reporter name, one of `VALIDATE_FORMATS`.
        jobs: Worker processes (`parallel.validate_texts`); 1 validates in this process, 0 uses
            one per CPU.
        kubernetes_version: Release of the built-in kinds' schemas; None: the newest shipped.
        skip: Kinds whose resources are not reported on (kubeconform's `-skip`).
        ignore_missing_schemas: Drop `schema.missing` instead of reporting it.
        fail_on: `error` or `warning`: the severity that makes the exit code 1.
        summary: Also print the findings counted by rule (text format).
        allow_remote_crds: Download `--crd` URLs (the plugin's `allow_remote_crds`).
    """

    files: tuple[str, ...]
    crds: tuple[str, ...] = ()
    format: str = "text"
    jobs: int = 1
    kubernetes_version: str | None = None
    skip: frozenset[str] = frozenset()
    ignore_missing_schemas: bool = False
    fail_on: str = "error"
    summary: bool = False
    allow_remote_crds: bool = False


class Source(NamedTuple):
    """One input read into memory: its display name, its bytes, or the finding saying why it has none.

    `data` is known to be UTF-8 and is handed to the YAML parser as it is: a decoded str beside
    it would double the memory a large input holds (and the parser would encode a third copy).
    """

    name: str
    data: bytes
    finding: Finding | None = None


def display_name(file: str) -> str:
    return STDIN_DISPLAY if file == STDIN else file


def read_source(file: str, stdin: BinaryIO | None) -> Source:
    """Read one input as UTF-8; bytes that are not UTF-8 become a `yaml.encoding` finding.

    Args:
        file: A path, or `-` for `stdin`.
        stdin: Standard input, `None` when the process has none.

    Raises:
        InputError: The file cannot be read at all (missing, a directory, permission denied).
    """
    name = display_name(file)
    try:
        if file != STDIN:
            data = read_limited(file)
        elif stdin is not None:
            data = stdin.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise FileTooLarge(len(data), MAX_FILE_BYTES)
        else:
            raise InputError("standard input is closed", file=name)
    except FileTooLarge as error:
        # Refused before it is read whole: a finding like any other bad input, not a crash.
        return Source(name, b"", Finding(name, 1, 1, "yaml.limit", str(error)))
    except OSError as error:
        raise InputError(error.strerror or str(error), file=name) from None
    try:
        check_utf8(data)
    except UnicodeDecodeError as error:
        return Source(name, b"", _encoding_finding(name, data, error))
    return Source(name, data)


def _encoding_finding(name: str, data: bytes, error: UnicodeDecodeError) -> Finding:
    line, column, message = undecodable(data, error)
    return Finding(file=name, line=line, column=column, rule="yaml.encoding", message=message)


def load_registry(crds: Sequence[str], *, allow_remote: bool = False) -> tuple[SchemaRegistry, list[Finding]]:
    """The bundled CRDs plus `crds`, and the warnings adding them gave (`crd.override`).

    A URL among `crds` is downloaded (engine.remote: the plugin's `allow_remote_crds` limits,
    16 MiB and 15 s) only when `allow_remote` says so; otherwise it is a setup error, so a run
    never touches the network unless asked to.

    Raises:
        CrdError: A CRD path is missing, unreadable, or not a valid CustomResourceDefinition; a
            URL without `allow_remote`, or one that cannot be downloaded.
    """
    registry = SchemaRegistry.builtin()
    findings: list[Finding] = []
    cache = CrdCache.user_default()  # parsed CRDs by content, under $XDG_CACHE_HOME/mkdocs-appreg
    with contextlib.ExitStack() as stack:
        downloads: Path | None = None
        for crd in crds:
            path = Path(crd)
            if "://" in crd:  # engine.remote.is_url, without importing urllib on every run
                if not allow_remote:
                    raise CrdError(
                        "is a URL; appreg downloads CRDs only with --allow-remote-crds: "
                        "pass it, or save the file and name its path",
                        file=crd,
                    )
                from mkdocs_appreg.engine.remote import fetch_crd

                if downloads is None:
                    # Made for the first URL only: tempfile (with shutil, random, bz2, lzma) is
                    # imported by no run without one.
                    import tempfile

                    downloads = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="appreg-crds-")))
                path = fetch_crd(crd, CacheRoot(downloads), "remote-crds")
            findings.extend(registry.add_path(path, display=crd, cache=cache))
    return registry, findings


def expand_inputs(files: Sequence[str]) -> list[str]:
    """The inputs with each directory replaced by its `*.yaml` / `*.yml` files, hidden folders skipped.

    As kubeconform, kubectl-validate and yamllint walk a directory argument; sorted, so a report
    is the same on every machine. Symlinked folders are not entered (a link may lead anywhere).
    """
    expanded: list[str] = []
    for file in files:
        if file == STDIN or not os.path.isdir(file):
            expanded.append(file)
            continue
        found: list[str] = []
        for folder, subfolders, names in os.walk(file):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            found.extend(os.path.join(folder, n) for n in names if n.endswith((".yaml", ".yml")))
        expanded.extend(sorted(found))
    return expanded


def _kept(findings: list[Finding], options: ValidateOptions) -> list[Finding]:
    """The findings `--skip` and `--ignore-missing-schemas` leave."""
    if options.skip:
        # A skipped kind's resources were not validated (validate_texts skips them); this drops
        # what the checks across files say about them. YAML errors have no kind and stay, and
        # so does a leaked credential.
        findings = [f for f in findings if f.kind not in options.skip or f.rule == LEAK_RULE]
    if options.ignore_missing_schemas:
        findings = [f for f in findings if f.rule != SCHEMA_MISSING_RULE]
    return findings


def _ignore_comments(texts: Sequence[tuple[str, bytes]]) -> dict[str, frozenset[str]]:
    """Each file's `# appreg: ignore[=rule,...]` comment, read as on a page (empty: every rule).

    A page example opts out with that comment anywhere in its YAML, for the whole example; a file
    is the example of `appreg validate`. It is how a known fake credential (`secret.leak`) in a
    manifest is allowed: validate has no secrets_allowlist.
    """
    ignored: dict[str, frozenset[str]] = {}
    for name, data in texts:
        if b"appreg" in data:  # the comment names us: most files are not decoded at all
            rules = comment_ignore(data.decode("utf-8"))
            if rules is not None:
                ignored[name] = rules
    return ignored


def run_validate(options: ValidateOptions, stdin: BinaryIO | None, stdout: TextIO) -> int:
    """Validate every input against the CRDs and report; the exit code of `appreg validate`."""
    # Read every input before any output, so an unreadable one stops the run without a half report.
    sources = [read_source(file, stdin) for file in expand_inputs(options.files)]
    registry, findings = load_registry(options.crds, allow_remote=options.allow_remote_crds)
    core = _core_schemas(options.kubernetes_version)
    readable = [(source.name, source.data) for source in sources if source.finding is None]
    ignored = _ignore_comments(readable)
    # A bare `# appreg: ignore` opts the whole file out, as it does a page example: it is neither
    # validated nor counted, nor a reference target for the others.
    texts = [(name, data) for name, data in readable if ignored.get(name) != frozenset()]
    results = iter(validate_texts(texts, registry, core, jobs=options.jobs, skip=options.skip))
    documents = 0
    for source in sources:
        if source.finding is not None:
            findings.append(source.finding)
            continue
        if ignored.get(source.name) == frozenset():
            continue
        found, count = next(results)
        findings.extend(found)
        documents += count
    # One schema.missing per kind for the whole run, naming this command's knob.
    # What `appreg check` checks across a site's resources, across the files given.
    findings.extend(validate_relations(texts))
    if ignored:
        findings = [f for f in findings if f.file not in ignored or f.rule not in ignored[f.file]]
    findings = once_per_kind(_kept(findings, options), fix="pass its CRD with --crd PATH")
    REPORTERS[options.format](findings, documents, stdout, files=[s.name for s in sources])
    if options.summary and options.format == "text":
        print(f"by rule: {rule_counts(findings)}", file=stdout)
    return EXIT_FINDINGS if failing(findings, options.fail_on) else EXIT_CLEAN


def _add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="PATH",
        help="YAML file, possibly multi-document, or a directory searched for *.yaml and *.yml "
        "(hidden folders skipped); '-' reads stdin",
    )
    parser.add_argument(
        "--crd",
        action="append",
        default=[],
        dest="crds",
        metavar="PATH",
        help="CRD file, or directory searched recursively, or a URL with --allow-remote-crds; "
        "repeatable; the bundled CRDs are always loaded",
    )
    parser.add_argument(
        "--allow-remote-crds",
        action="store_true",
        help="download --crd URLs (16 MiB, 15 s each), as the plugin's allow_remote_crds option",
    )
    parser.add_argument(
        "--format", choices=VALIDATE_FORMATS, default="text", help="output format (default: %(default)s)"
    )
    parser.add_argument(
        "--jobs",
        type=_job_count,
        default=1,
        metavar="N",
        help="validate in N worker processes, 0 for one per CPU; pays from a few thousand "
        "resources (default: %(default)s)",
    )
    parser.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        help="release of the built-in kinds' schemas (default: the newest installed; see --version)",
    )
    _add_skip_argument(parser)
    parser.add_argument(
        "--ignore-missing-schemas",
        action="store_true",
        help="a kind with no schema is not reported (default: a schema.missing error)",
    )
    _add_outcome_arguments(parser)


def _add_skip_argument(parser: argparse.ArgumentParser) -> None:
    # Shared by `validate` and `check`.
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        type=_kinds,
        metavar="KIND[,KIND]",
        help="do not validate or report on resources of these kinds (a leaked credential in a "
        "Secret is still reported); repeatable",
    )


def _kinds(value: str) -> frozenset[str]:
    kinds = frozenset(part.strip() for part in value.split(",") if part.strip())
    if not kinds:
        raise argparse.ArgumentTypeError(f"expected KIND[,KIND], not {value!r}")
    return kinds


def _add_outcome_arguments(parser: argparse.ArgumentParser) -> None:
    # Shared by `validate` and `check`: when the run fails, and how much the text report says.
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_LEVELS,
        # None: `check` takes the configured `fail_on` option, so it fails where the build fails.
        default=None,
        help="exit 1 on findings of this severity or worse (default: error; for check, the fail_on "
        "option of appreg in the configuration when it is set)",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="after the report, count the findings by rule (text format)",
    )


def _job_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (one per CPU) or more, not {count}")
    return count


def _validate(args: argparse.Namespace) -> int:
    options = ValidateOptions(
        files=tuple(args.files),
        crds=tuple(args.crds),
        format=args.format,
        jobs=args.jobs,
        kubernetes_version=args.kubernetes_version,
        skip=frozenset().union(*args.skip),
        ignore_missing_schemas=args.ignore_missing_schemas,
        fail_on=args.fail_on or "error",
        summary=args.summary,
        allow_remote_crds=args.allow_remote_crds,
    )
    return run_validate(options, sys.stdin.buffer if sys.stdin is not None else None, sys.stdout)


def _core_schemas(kubernetes_version: str | None = None) -> CoreSchemas | None:
    # Without the shipped schemas (a broken install), built-in kinds are `schema.missing`, not a crash;
    # a release asked for with --kubernetes-version that is not shipped is a setup error.
    try:
        return core_schemas(kubernetes_version)
    except ConfigError:
        if kubernetes_version is not None:
            raise
        return None


# --- check and render ---------------------------------------------------------------------------

CHECK_FORMATS = ("text", "json", "github", "junit", "tap")
DEFAULT_CONFIG_FILE = "mkdocs.yml"


def _render(settings: ProjectSettings) -> tuple[list[Rendered], list[Finding]]:
    """Render the project's templates the way the plugin's on_config does."""
    settings.check()
    result = render_project(settings)
    return result.rendered, result.findings


def run_check(
    config_file: str,
    output_format: str,
    stdout: TextIO,
    *,
    fail_on: str | None = None,
    summary: bool = False,
    skip: frozenset[str] = frozenset(),
) -> int:
    """`appreg check`: what `mkdocs build` with the plugin reports, without building the site.

    `fail_on` None: the configuration's `fail_on` option, else `error`. `skip`: kinds not
    validated nor reported on (a leaked credential aside), as `appreg validate --skip`.
    """
    site: LoadedSite | StandaloneSite
    if config_file.endswith(".toml"):
        # Zensical's own configuration: appreg is a Markdown extension there (no MkDocs).
        from mkdocs_appreg.site.options import load_zensical_site

        site = load_zensical_site(Path(config_file))
    else:
        from mkdocs_appreg.plugin.config import (
            load_site,  # MkDocs is imported only by the commands that read mkdocs.yml
        )

        site = load_site(Path(config_file))
    settings = site.settings
    rendered, findings = _render(settings)
    documents = 0
    # A template that does not render stops the build before anything is checked.
    if not findings and settings.validate:
        try:
            write_cache(settings, rendered)
        except OSError as error:
            raise InputError(
                f"cannot write the cache: {error}", file=settings.display(settings.cache_dir)
            ) from None
        registry, findings = build_registry(settings, SchemaRegistry.builtin())
        options = site.options
        if skip:
            options = copy.copy(options)
            options.skip_kinds = options.skip_kinds | skip
        result = check_site(
            settings,
            site.pages,
            options=options,
            registry=registry,
            rendered=rendered,
            base_path=site.base_path,
        )
        # Data files no page includes are published as they are: a token in one ships too.
        published = leaks_in_published(published_data_files(settings), settings.secrets_allowlist)
        findings = [*findings, *result.findings, *published]
        documents = result.documents
        if leaks_in(findings):
            # As the build: a leaked credential is in no file appreg wrote.
            scrub_cache(settings, "build-record.json")
    files = [*(item.display for item in rendered), *(page for page, _ in site.pages)]
    REPORTERS[output_format](findings, documents, stdout, files=files)
    if summary and output_format == "text":
        print(f"by rule: {rule_counts(findings)}", file=stdout)
    return EXIT_FINDINGS if failing(findings, fail_on or site.fail_on or "error") else EXIT_CLEAN


def run_render(config_file: str, out: str | None, stdout: TextIO) -> int:
    """`appreg render`: write the rendered resources at their docs paths, for inspection."""
    if config_file.endswith(".toml"):
        from mkdocs_appreg.site.options import load_zensical_site

        settings = load_zensical_site(Path(config_file), read_pages=False).settings
    else:
        from mkdocs_appreg.plugin.config import load_settings

        settings = load_settings(Path(config_file))
    rendered, findings = _render(settings)
    if findings:
        REPORTERS["text"](findings, 0, stdout)
        return EXIT_FINDINGS
    if not rendered:
        # Nothing to render is no error (a site may only check its pages), but an empty output
        # left the user guessing whether the command ran at all.
        print(f"no templates in {settings.display(settings.templates_dir)}/", file=stdout)
        return EXIT_CLEAN
    try:
        if out is None:
            written = write_cache(settings, rendered)
        else:
            written = []
            for item in rendered:
                target = Path(out) / item.docs_path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(item.text, encoding="utf-8")
                written.append(target)
    except OSError as error:
        raise InputError(error.strerror or str(error), file=error.filename or out) from None
    for path in written:
        print(path, file=stdout)
    return EXIT_CLEAN


def _add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f",
        "--config-file",
        default=DEFAULT_CONFIG_FILE,
        metavar="FILE",
        help="the site configuration: mkdocs.yml or zensical.toml (default: %(default)s)",
    )


def _add_check_arguments(parser: argparse.ArgumentParser) -> None:
    _add_config_argument(parser)
    parser.add_argument(
        "--format", choices=CHECK_FORMATS, default="text", help="output format (default: %(default)s)"
    )
    _add_skip_argument(parser)
    _add_outcome_arguments(parser)


def _check(args: argparse.Namespace) -> int:
    return run_check(
        args.config_file,
        args.format,
        sys.stdout,
        fail_on=args.fail_on,
        summary=args.summary,
        skip=frozenset().union(*args.skip),
    )


def _add_render_arguments(parser: argparse.ArgumentParser) -> None:
    _add_config_argument(parser)
    parser.add_argument(
        "--out", metavar="DIR", help="directory to write into, at docs paths (default: the plugin's cache)"
    )


def _render_command(args: argparse.Namespace) -> int:
    return run_render(args.config_file, args.out, sys.stdout)


def _add_migrate_arguments(parser: argparse.ArgumentParser) -> None:
    from mkdocs_appreg.cli import migrate  # imported by the migrate command only (difflib, yaml)

    migrate.add_arguments(parser)


def _migrate(args: argparse.Namespace) -> int:
    from mkdocs_appreg.cli import migrate

    return migrate.run(args)


COMMANDS: dict[str, Command] = {
    "validate": Command(
        help="validate Kubernetes resources against their CRDs",
        add_arguments=_add_validate_arguments,
        run=_validate,
    ),
    "check": Command(
        help="check an MkDocs site's templates, page examples and references, as the build does",
        add_arguments=_add_check_arguments,
        run=_check,
    ),
    "render": Command(
        help="render an MkDocs site's resource templates into a directory for inspection",
        add_arguments=_add_render_arguments,
        run=_render_command,
    ),
    "migrate": Command(
        help="turn hand-written YAML / kubectl apply tab pairs into templates and resource directives",
        add_arguments=_add_migrate_arguments,
        run=_migrate,
    ),
}
"""Subcommands by name."""


# --- entry point --------------------------------------------------------------------------------


class _VersionAction(argparse.Action):
    """`--version`: the version, then what the install covers (computed only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from mkdocs_appreg.engine import corekinds

        lines = [f"{parser.prog} {__version__}", corekinds.coverage(), corekinds.fast_gate()]
        print("\n".join(lines), file=sys.stdout)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The `appreg` parser with one subparser per entry of `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="appreg",
        description="Render and validate Kubernetes resource examples for documentation.",
        epilog="exit status: 0 no errors, 1 errors found, 2 usage or setup error",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="show the version, the Kubernetes releases the installed schemas cover, and exit",
    )
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        subparser = subparsers.add_parser(
            name, help=command.help, description=command.help, epilog=parser.epilog
        )
        command.add_arguments(subparser)
        subparser.set_defaults(run=command.run)
    return parser


def _tolerant_streams() -> None:
    # A finding may quote any text, and a file name may not decode: never let printing it raise.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `appreg` with `argv` (default: the process arguments) and return the exit code."""
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        code = run(args)
        sys.stdout.flush()
        return code
    except AppregError as error:
        print(f"appreg: error: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`appreg ... | head`): stop quietly, and keep Python from failing
        # again when it flushes stdout at exit (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
