"""The `booklet` command. Input errors print as `path[:line]: message` lines."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .errors import BookletError, UsageError, ValidationFailed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one line, as wrong usage should
        raise UsageError(f"booklet: {message} (see 'booklet --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="booklet", description="Build the calciphylaxis booklet's PDF editions.")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the booklet's folder, holding booklet.yaml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    build = commands.add_parser("build", help="validate, then render every edition into build/")
    build.add_argument("--brand", type=Path, default=None, metavar="brands/NAME.yaml",
                       help="build copies carrying this organisation's name and contacts into "
                            "build/brands/NAME/")
    build.add_argument("--jobs", type=_positive, default=None, metavar="N",
                       help="render N outputs at once (default: one per core)")
    build.add_argument("--chapter", default=None, metavar="ID",
                       help="make a short handout of one chapter (by its front-matter id) with its own "
                            "references, into build/handouts/ID/")
    commands.add_parser("release", help="build, copy the outputs to build/release/<edition>/ and record "
                                         "the edition in editions.lock")
    check = commands.add_parser("check", help="validate every file without rendering, and warn about "
                                               "review dates that have passed")
    check.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                       help="judge review dates as of this day (default: today)")
    check.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _date(text: str) -> dt.date:
    from .schema import parse_date

    try:
        return parse_date(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _build(args: argparse.Namespace) -> int:
    from .build import build

    result = build(args.root, args.brand, args.chapter, args.jobs)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for item in result.outputs:
        print(f"wrote {result.folder}/{item.path} ({item.pages} pages, {item.bytes / 1024:.0f} KiB)")
    print(f"wrote {result.folder}/SHA256SUMS and {result.folder}/manifest.json")
    fresh = {name.removesuffix("-note") for name in result.rendered}
    unchanged = sum(1 for item in result.outputs
                    if item.output.stem not in fresh and item.output.imposed_from not in fresh)
    print(f"rendered {len(result.rendered)} document(s); {unchanged} of {len(result.outputs)} outputs were "
          "unchanged and came from the cache")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import LOCK_FILE, release

    result = release(args.root)
    if result.recorded:
        print(f"released edition {result.edition} into {result.folder}/ and recorded it in {LOCK_FILE}: "
              "commit it")
    else:
        print(f"edition {result.edition} is already released from these inputs ({result.folder}/): "
              "nothing to do")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .build import BUILD_DIR, load_project
    from .html import chapter_problems
    from .plan import make_plan
    from .readability import patient_readability, readability_problems, readability_table
    from .reviews import review_warnings

    root = args.root.resolve()
    project = load_project(root)
    plan = make_plan(project.config, project.chapters, project.references, project.history)
    errors = chapter_problems(plan, root, root / BUILD_DIR)
    if errors:
        raise ValidationFailed(errors)
    as_of = args.as_of or dt.date.today()
    readability = patient_readability(project.chapters)
    warnings = sorted([*project.warnings, *review_warnings(project.chapters, project.references, as_of),
                       *readability_problems(readability)],
                      key=lambda p: (p.path, p.line or 0))
    for warning in warnings:
        print(warning, file=sys.stderr)
    if readability:
        print("\n".join(readability_table(readability)))
    print(f"ok: booklet.yaml, {len(project.references)} references and {len(project.chapters)} "
          f"chapter(s) are valid; {len(warnings)} warning(s)")
    return 1 if args.strict and warnings else 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return {"build": _build, "check": _check, "release": _release}[args.command](args)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except ValidationFailed as failed:
        for line in failed.lines():
            print(line, file=sys.stderr)
        return 1
    except BookletError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("booklet: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
