"""Command line of the conformance suite: ``python -m conformance <command>``.

Commands:
    report   render one HTML file (and optionally JUnit XML) from one or more results files.
    compare  list what changed between two results files; exit 1 on a new failure.
    expectations  draft an expectations file from the divergent records of a results file.
    env      install a target spec into an environment of its own and print its interpreter.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

# Exit statuses of `compare` (and of `report` for bad input), stable for CI scripts.
EXIT_OK = 0
EXIT_NEW_FAILURE = 1
EXIT_BAD_INPUT = 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Migration-guide conformance suite for Sentence Transformers.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser(
        "report",
        help="render results files as one self-contained HTML report",
        description="Render one or more results files (other targets, versions or devices) as one "
        "HTML report whose matrix has a column per run, device and tier.",
    )
    report.add_argument("results", nargs="+", type=Path, metavar="RESULTS",
                        help="results.json file, or a run folder that contains one")
    report.add_argument("-o", "--output", type=Path,
                        help="HTML file to write (default: index.html beside the only RESULTS; "
                        "required for several)")
    report.add_argument("--junit", type=Path, metavar="XML", help="also write JUnit XML to this file")
    report.set_defaults(handler=_run_report)

    compare = commands.add_parser(
        "compare",
        help="list verdict changes and moved figures between two results files",
        description="Compare two results files record by record (matched by id). Exit status: 0 when "
        "NEW has no new failure, 1 when it has one, 2 for unreadable or invalid input.",
    )
    compare.add_argument("old", type=Path, metavar="OLD", help="baseline results.json or run folder")
    compare.add_argument("new", type=Path, metavar="NEW", help="results.json or run folder to check")
    compare.set_defaults(handler=_run_compare)
    _add_target_commands(commands)
    return parser


def _add_target_commands(commands: argparse._SubParsersAction) -> None:
    expectations = commands.add_parser(
        "expectations",
        help="draft an expectations file from a results file",
        description="List every divergent record of RESULTS as a [[divergence]] entry whose reason is the "
        "record's reason, as a draft for the target's expectations file.",
    )
    expectations.add_argument("results", type=Path, metavar="RESULTS", help="results.json file, or a run folder that contains one")
    expectations.add_argument("-o", "--output", type=Path, help="TOML file to write (default: standard output); an existing file is kept")
    expectations.set_defaults(handler=_run_expectations)

    env = commands.add_parser(
        "env",
        help="install a target into an environment of its own",
        description="Create (or reuse) the virtual environment of a target spec under .nox/targets/ "
        "(CONFORMANCE_ENVS_DIR), check that sentence_transformers imports there, and print its interpreter.",
    )
    env.add_argument("spec", metavar="SPEC", help="a requirement (sentence-transformers==5.1.0), a fork path, a git URL or a wheel")
    env.add_argument("--role", choices=("target", "legacy"), default="target",
                     help="which pin overrides apply: CONFORMANCE_TARGET_PINS or CONFORMANCE_LEGACY_TARGET_PINS")
    env.add_argument("--pin", action="append", default=None, metavar="REQ",
                     help="replace a companion pin by package name, e.g. --pin transformers==4.57.6 (repeatable; 'none' drops all)")
    env.add_argument("--rebuild", action="store_true", help="delete and reinstall the environment even when it is up to date")
    env.add_argument("--python-file", type=Path, metavar="FILE", help="also write the interpreter's path to FILE")
    env.set_defaults(handler=_run_env)


def _run_report(args: argparse.Namespace) -> int:
    from conformance.report import read_results, write_html, write_junit

    output = args.output
    if output is None:
        if len(args.results) > 1:
            sys.stderr.write("error: several RESULTS need an output file; add -o combined.html\n")
            return EXIT_BAD_INPUT
        only = args.results[0]
        output = (only if only.is_dir() else only.parent) / "index.html"

    runs = [read_results(path) for path in args.results]
    write_html(runs, output)
    sys.stdout.write(f"wrote {output}\n")
    if args.junit:
        write_junit(runs, args.junit)
        sys.stdout.write(f"wrote {args.junit}\n")
    return EXIT_OK


def _run_compare(args: argparse.Namespace) -> int:
    from conformance.report import compare_results, format_comparison, read_results

    old = read_results(args.old)
    new = read_results(args.new)
    comparison = compare_results(old, new)
    sys.stdout.write(format_comparison(comparison, str(args.old), str(args.new)))
    return EXIT_NEW_FAILURE if comparison.has_new_failure else EXIT_OK


def _run_expectations(args: argparse.Namespace) -> int:
    from conformance.expectations import draft
    from conformance.report import read_results

    results = read_results(args.results)
    text = draft(results, str(args.results))
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.output.exists():
        sys.stderr.write(f"error: {args.output} exists; choose another -o so that no kept reasons are overwritten\n")
        return EXIT_BAD_INPUT
    args.output.write_text(text, encoding="utf-8")
    count = text.count("[[divergence]]")
    sys.stdout.write(f"wrote {args.output} with {count} entr{'y' if count == 1 else 'ies'}\n")
    return EXIT_OK


def _run_env(args: argparse.Namespace) -> int:
    from conformance.environments import PINS_ENV, build_plan, prepare
    from conformance.errors import TargetError
    from conformance.releases import parse_overrides

    logging.getLogger("conformance").setLevel(logging.INFO)
    overrides = args.pin if args.pin is not None else parse_overrides(os.environ.get(PINS_ENV[args.role]))
    try:
        environment = prepare(build_plan(args.spec, args.role, overrides), rebuild=args.rebuild)
    except TargetError as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_BAD_INPUT
    described = environment.description
    sys.stderr.write(
        f"target {args.spec!r}: {described['name']} {described['version']} at {described['path']}"
        f"{' (commit ' + described['commit'] + ')' if described.get('commit') else ''}\n"
    )
    if args.python_file:
        args.python_file.parent.mkdir(parents=True, exist_ok=True)
        args.python_file.write_text(environment.python + "\n")
    sys.stdout.write(environment.python + "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command and return its exit status.

    Args:
        argv: arguments without the program name; ``sys.argv[1:]`` when None.
    """
    from conformance.report import ResultsError

    args = _build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.handler(args)
    except ResultsError as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_BAD_INPUT
