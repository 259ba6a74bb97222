"""The `booklet` command. Input errors print as `path[:line]: message` lines."""
from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import textwrap
import threading
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from . import __version__
from .errors import BookletError, UsageError, ValidationFailed, visible
from .source.config import AUDIENCES, SIGN_OFF_ROLES


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # exit 2 with one line, as wrong usage should
        raise UsageError(f"booklet: {message} (see 'booklet --help')")


def _text(text: str) -> str:
    return textwrap.dedent(text).strip()


COMMANDS = {
    "build": ("render every edition into build/", """
        Check every file, then render the PDFs into build/ (and their HTML into build/html/).
        Outputs whose inputs have not changed come from the render cache, so a rebuild
        after a small edit renders only what the edit affects. Chapters marked
        'status: draft' are left out; preview one with --chapter ID.

        examples:
          booklet build
          booklet build --chapter what-is-calciphylaxis    # one chapter's handouts (drafts too)
          booklet build --brand brands/kidney-care.yaml    # an organisation's own copies
        """),
    "check": ("check every file without rendering (quick: run it after each edit)", """
        Check booklet.yaml, references.yaml, CHANGELOG.md and every chapter, including
        drafts, without rendering. Prints every problem as file:line: message, grouped
        by file; then review dates coming due in the next 90 days and the readability
        of each patient chapter. Warnings cover uncited references, glossary terms
        that the glossary does not define, drafts, overdue review dates and hard
        patient text. Exits 1 when there are errors (and with --strict, warnings).

        examples:
          booklet check
          booklet check --as-of 2027-06-01    # which review dates will have passed by then
        """),
    "init": ("start a new booklet project in an empty folder", """
        Write a new booklet project into DIR (a new or empty folder): booklet.yaml,
        an empty references.yaml, one chapter for each edition, CHANGELOG.md, an
        example brand file and the JSON Schemas. It checks and builds as it is; its
        chapters say how to write your own. The default stylesheets come with booklet;
        a file in the project's styles/ replaces the one of the same name.

        examples:
          booklet init lupus-booklet --title "Living with lupus"
          cd lupus-booklet && booklet check && booklet build
        """),
    "new": ("start a new chapter as a draft", """
        Write chapters/NN-title-in-lower-case.md with complete front-matter: the next
        free order, today's date as 'reviewed', the next review a year later, and
        'status: draft'. Builds leave the draft out until you change that line to
        'status: ready'; 'booklet check' warns about it until then.

        examples:
          booklet new "Wound care at home" --audience patient
          booklet new "Pain relief" --audience clinician --order 40
        """),
    "watch": ("rebuild whenever a chapter, style or setting changes", """
        Build once, then watch chapters/, styles/, images/, reviews/, editions/, brands/,
        booklet.yaml, references.yaml and CHANGELOG.md. After every saved change it rebuilds what the
        change affects and prints what it rebuilt, or the errors to fix. It keeps
        watching after an error. Stop it with Ctrl-C.

        examples:
          booklet watch
          booklet watch --chapter wound-care-at-home    # preview one chapter (a draft too)
        """),
    "release": ("build and file an edition in build/release/<edition>/", """
        Build, copy the outputs, SHA256SUMS and manifest.json to build/release/<edition>/,
        and record the edition with a hash of its inputs in editions.lock (commit it).
        An edition number can never be reused for different content: raise 'edition'
        in booklet.yaml and add a CHANGELOG.md section first. Drafts do not count.
        """),
    "review": ("record a sign-off: who checked a chapter, in what role", """
        'booklet review sign CHAPTER' records in reviews/CHAPTER.yaml that NAME, in ROLE, has
        checked the chapter (by its front-matter id), with the SHA-256 of its text for each
        edition that prints it. An edit after that voids the sign-off for the edition whose
        text changed; 'booklet check' lists void and missing sign-offs, and 'booklet release'
        needs the roles booklet.yaml requires unless it marks the edition a draft for review.

        examples:
          booklet review sign get-help-urgently --as clinical-reviewer --name "Dr A Patel" \
              --checked "every fact against its sources, and the advice on when to call 999"
          booklet review sign outlook --as patient-reviewer --name "J Smith" --edition patient \
              --checked "that the chapter is clear and kind to read"
        """),
    "diff": ("say what changed in the text between two editions", """
        Compare two editions' snapshots (editions/<version>.json, written by 'booklet
        release'), or an edition and the tree as it is now ('working'): every chapter whose
        text changed, for each edition, with the words added and removed, and the sources
        added, removed or re-dated. Then a draft CHANGELOG.md section to rewrite in words a
        patient understands. The edition for healthcare professionals prints the same changes,
        word by word, as "Changes in this edition".

        examples:
          booklet diff 1.3.2 1.4.0
          booklet diff 1.4.0 working    # what the next edition changes so far
        """),
    "translate": ("make, update or report on a language's translation files", """
        A translation lives in translations/LANGUAGE/<chapter id>.po, one entry per block of
        the chapter (heading, paragraph, list item, table cell, box title, picture description,
        and the title and summary), in the gettext PO format that Poedit and Weblate open.

        extract (the first time) and update (after the English changed) write the files: a
        translation made for the English as it is stays; one made for English that has since
        changed is kept, marked fuzzy, with the old English shown (#|) so the translator sees
        what changed. status lists, per chapter, how many blocks are done, fuzzy and missing,
        and checks every translated entry: its citations, glossary marks, contact slots, web
        addresses, numbers and units must be those of the English. sign records that a
        translator, or a reviewer who reads the language, checked a chapter's finished
        translation (translations/LANGUAGE/sign-offs.yaml); a later change to its English or
        its translation voids it. docs/translating.md explains it for translators.

        examples:
          booklet translate extract cy
          booklet translate update cy      # after changing the English
          booklet translate status cy
          booklet translate sign cy get-help-urgently --as translator --name "A Jones" \
              --checked "the whole chapter against the English"
        """),
    "schemas": ("write the JSON Schemas in schemas/ (for editors' completion)", """
        Write schemas/*.schema.json from the same field definitions the checks use.
        Run it after adding or changing a field in the code; a test fails until you do.
        """),
}


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="booklet", description=_text("""
        Build the calciphylaxis booklet's PDF editions from chapters/*.md.

        an author's loop: 'booklet new' to start a chapter, 'booklet watch' to see it
        rebuilt as you save, 'booklet check' to list what to fix, 'booklet build' for the
        finished PDFs. docs/authoring.md explains each step.
        """))
    parser.add_argument("--version", action="version", version=f"booklet {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the booklet's folder, holding booklet.yaml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    sub = {name: commands.add_parser(name, help=short, description=_text(long))
           for name, (short, long) in COMMANDS.items()}
    for name in ("build", "watch"):
        sub[name].add_argument("--brand", type=Path, default=None, metavar="brands/NAME.yaml",
                               help="build copies carrying this organisation's name and contacts into "
                                    "build/brands/NAME/")
        sub[name].add_argument("--jobs", type=_positive, default=None, metavar="N",
                               help="render N outputs at once (default: one per core)")
        sub[name].add_argument("--chapter", default=None, metavar="ID",
                               help="make a short handout of one chapter (by its front-matter id; drafts "
                                    "too) with its own references, into build/handouts/ID/")
    sub["build"].add_argument("--formats", type=_formats, default=None, metavar="pdf,web,epub",
                              help="what to make besides the PDFs, which are always made (default: all: "
                                   "pdf,web,epub); 'pdf' alone is the quickest rebuild")
    sub["build"].add_argument("--quiet", "-q", action="store_true",
                              help="print only warnings and errors, not the table of outputs")
    sub["check"].add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                              help="judge review dates as of this day (default: today)")
    sub["check"].add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    sub["init"].add_argument("folder", type=Path, metavar="DIR", help="the new project's folder (new or empty)")
    sub["init"].add_argument("--title", default=None, help="the booklet's title (default: 'My booklet')")
    sub["init"].add_argument("--publisher", default=None, help="the publisher printed on the cover")
    sub["new"].add_argument("title", help="the chapter's title, in quotes")
    sub["new"].add_argument("--audience", required=True, choices=("patient", "clinician", "both"),
                            help="which edition(s) print it")
    sub["new"].add_argument("--order", type=_positive, default=None, metavar="N",
                            help="its position in the booklet (default: after the last chapter)")
    sub["diff"].add_argument("old", metavar="OLD", help="an edition with a snapshot, e.g. 1.3.2")
    sub["diff"].add_argument("new", metavar="NEW", nargs="?", default="working",
                             help="another edition, or 'working' for the tree as it is now (the default)")
    sub["translate"].add_argument("action", choices=("extract", "update", "status", "sign"), help="what to do")
    sub["translate"].add_argument("language", metavar="LANGUAGE", help="the language's code, e.g. cy for Welsh")
    sub["translate"].add_argument("chapter", metavar="CHAPTER", nargs="?", default=None,
                                  help="sign: the chapter whose translation was checked (its id)")
    sub["translate"].add_argument("--as", dest="role", choices=("translator", "language-reviewer"), default=None,
                                  help="sign: the signer's role")
    sub["translate"].add_argument("--name", default=None, help="sign: the signer's name, as it may be printed")
    sub["translate"].add_argument("--checked", default=None, help="sign: what they checked, in a sentence")
    sub["translate"].add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                                  help="sign: when (default: today)")
    sub["translate"].add_argument("--edition", choices=("patient", "clinician"), default="patient",
                                  help="which edition's chapters (default: patient)")
    review = sub["review"].add_subparsers(dest="review_command", required=True, parser_class=_Parser,
                                          metavar="sign")
    sign = review.add_parser("sign", help="sign a chapter off", description="Record a sign-off of a chapter.")
    sign.add_argument("chapter", metavar="CHAPTER", help="the chapter's id (its front-matter 'id')")
    sign.add_argument("--as", dest="role", required=True, choices=SIGN_OFF_ROLES, help="the signer's role")
    sign.add_argument("--name", required=True, help="the signer's name, as it may be printed")
    sign.add_argument("--checked", required=True, help="what they checked, in a sentence")
    sign.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD", help="when (default: today)")
    sign.add_argument("--edition", choices=AUDIENCES, default=None,
                      help="sign only this edition's text (default: every edition that prints the chapter)")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _formats(text: str) -> tuple[str, ...]:
    from .pipeline import FORMATS

    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if unknown := [part for part in chosen if part not in FORMATS]:
        raise argparse.ArgumentTypeError(f"'{unknown[0]}' is not a format: choose from {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(("pdf", *chosen)))


def _date(text: str) -> dt.date:
    from .dates import parse_date

    try:
        return parse_date(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


class _Progress:
    """What is being rendered, as it starts and ends; on a terminal only."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.done = 0

    @staticmethod
    def _name(name: str) -> str:
        return f"printing note for {name.removesuffix('-note')}" if name.endswith("-note") else name

    def __call__(self, event: str, name: str, result) -> None:
        if event == "start":
            print(f"  rendering {self._name(name)} ...", file=self.stream, flush=True)
        elif event == "done":
            self.done += 1
            print(f"  done      {self._name(name)} ({result.pages} pages, {result.seconds:.1f} s)",
                  file=self.stream, flush=True)


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MiB"


def output_table(result) -> list[str]:
    """The summary after a build: each output's file, pages, size and time."""
    rows = [(item.path, str(item.pages), _size(item.bytes),
             "cached" if item.from_cache else f"{item.seconds:.1f} s") for item in result.outputs]
    rows += [(f"{item.path} ({item.files} files)" if item.files > 1 else item.path, "", _size(item.bytes),
              "cached" if item.from_cache else f"{item.seconds:.1f} s") for item in result.extras]
    header = (f"file (in {result.folder}/)", "pages", "size", "time")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    line = "{:<%d}  {:>%d}  {:>%d}  {:>%d}" % tuple(widths)
    return [line.format(*header), *(line.format(*row) for row in rows)]


def _report_build(result, quiet: bool) -> None:
    if not quiet:
        print("\n".join(output_table(result)))
        unchanged = sum(1 for item in result.outputs if item.from_cache)
        print(f"wrote {result.folder}/SHA256SUMS and {result.folder}/manifest.json; made "
              f"{len(result.outputs) - unchanged} of {len(result.outputs)} outputs, {unchanged} came unchanged "
              "from the cache")
    for warning in result.warnings:
        print(visible(warning), file=sys.stderr)  # a warning may quote a stylesheet or a cached entry
    if result.warnings and not quiet:
        print(f"{len(result.warnings)} warning(s)", file=sys.stderr)


def _progress(quiet: bool) -> _Progress | None:
    return _Progress(sys.stderr) if sys.stderr.isatty() and not quiet else None


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    progress = _progress(args.quiet)
    from .pipeline import FORMATS

    result = build(args.root, args.brand, args.chapter, args.jobs, progress, formats=args.formats or FORMATS)
    _report_build(result, args.quiet)
    return 0


def _release(args: argparse.Namespace) -> int:
    from .output.editions import EDITIONS_FILE
    from .pipeline import release

    result = release(args.root, _progress(False))
    if result.build is not None:
        _report_build(result.build, quiet=False)
    if result.recorded:
        print(f"released edition {result.edition} into {result.folder}/ and recorded it in {EDITIONS_FILE}: "
              "commit it")
    elif result.build is not None:  # recorded before, but its folder was missing or not what this build made
        print(f"edition {result.edition} is recorded from these inputs; its folder {result.folder}/ was made "
              "again from this build")
    else:
        print(f"edition {result.edition} is already released from these inputs ({result.folder}/): "
              "nothing to do")
    for line in result.left_out:
        print(f"left out of the release: the copies in {line}; they are built (marked as drafts) by 'booklet build'")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .authoring.check import check_project, due_soon_lines, grouped, marked_lines, unsigned_lines
    from .authoring.readability import readability_table

    report = check_project(args.root, args.as_of or dt.date.today())
    if report.problems:
        print("\n".join(grouped(report.problems)), file=sys.stderr)
    if report.errors:
        print(f"failed: {len(report.errors)} error(s) and {len(report.warnings)} warning(s) in "
              f"{len({p.path for p in report.problems})} file(s)")
        return 1
    print("\n".join(due_soon_lines(report)))
    print("\n".join(marked_lines(report)))
    if unsigned := unsigned_lines(report):
        print("\n".join(unsigned))
    if report.readability:
        print("\n".join(readability_table(list(report.readability))))
    drafts = f" ({report.drafts} draft(s), left out of builds)" if report.drafts else ""
    print(f"ok: booklet.yaml, {report.references} references and {report.chapters} chapter(s){drafts} are "
          f"valid; {len(report.warnings)} warning(s)")
    return 1 if args.strict and report.warnings else 0


def _new(args: argparse.Namespace) -> int:
    from .authoring.new import new_chapter
    from .source.config import load_config

    root = args.root.resolve()
    load_config(root)  # only inside a booklet's folder
    made = new_chapter(root, args.title, args.audience, dt.date.today(), args.order)
    print(f"wrote {made.path} (id '{made.id}', order {made.order}, next review {made.next_review.isoformat()})")
    if made.after:
        gaps = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in made.free)
        print(f"order {made.order} puts it after '{made.after}'; to move it, change its 'order'"
              + (f" (free: {gaps})" if gaps else ""))
    print("it is a draft: builds leave it out until you change 'status: draft' to 'status: ready'; "
          f"preview it with 'booklet build --chapter {made.id}' or 'booklet watch --chapter {made.id}'")
    return 0


def _init(args: argparse.Namespace) -> int:
    from .authoring.starter import DEFAULT_TITLE, init_project

    started = init_project(args.folder, dt.date.today(), args.title or DEFAULT_TITLE, args.publisher)
    print(f"wrote a new booklet project in {started.folder}/: {', '.join(started.files)}")
    print(f"next: cd {started.folder} && booklet check && booklet build")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from .authoring.watch import WATCHED, watch_project
    from .render.resources import DEFAULT_STYLE_DIR
    from .pipeline import build
    from .source.config import CONFIG_FILE

    root = args.root.resolve()
    if not (root / CONFIG_FILE).is_file():  # not a booklet's folder: nothing to watch
        raise BookletError(f"no {CONFIG_FILE} here: run the command in the booklet's folder", CONFIG_FILE)

    def rebuild() -> None:
        try:
            result = build(root, args.brand, args.chapter, args.jobs, _progress(False))
        except ValidationFailed as failed:
            print("\n".join(failed.lines()), file=sys.stderr, flush=True)
            print("build failed: the outputs were left as they were", flush=True)
            return
        except BookletError as err:
            print(err, file=sys.stderr, flush=True)
            print("build failed: the outputs were left as they were", flush=True)
            return
        except Exception:  # a bug: show it, but keep the author's session going
            traceback.print_exc()
            print("build failed with an internal error", flush=True)
            return
        rebuilt = [item for item in result.outputs if not item.from_cache]
        if rebuilt:
            print(f"rebuilt {len(rebuilt)} of {len(result.outputs)} outputs:")
            print("\n".join(output_table(replace(result, outputs=tuple(rebuilt), extras=()))))
            if any(not item.from_cache for item in result.extras):
                print("and the web site and e-books, made again from them")
        else:
            print(f"nothing to rebuild: all {len(result.outputs)} outputs are up to date")
        for warning in result.warnings:
            print(visible(warning), file=sys.stderr, flush=True)

    def announce(files: list[str]) -> None:
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        print(f"changed: {shown}", flush=True)

    print(f"watching {', '.join(WATCHED)} and the default stylesheets in {DEFAULT_STYLE_DIR} (Ctrl-C to stop)",
          flush=True)
    watch_project(root, rebuild, announce, lambda: print("waiting for changes ...", flush=True))
    print("stopped watching", flush=True)
    return 0


def _review(args: argparse.Namespace) -> int:
    from .authoring.sign import sign_chapter

    shown, editions = sign_chapter(args.root.resolve(), args.chapter, args.role, args.name, args.checked,
                                   args.date or dt.date.today(), args.edition)
    print(f"signed '{args.chapter}' as {args.role} for the {' and '.join(editions)} text: recorded in {shown}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from .content.changes import changelog_draft, compare, summary_lines
    from .pipeline import project_snapshot
    from .source.project import load_project
    from .source.snapshots import WORKING, read_snapshot

    root = args.root.resolve()
    old, new = (project_snapshot(load_project(root)) if version == WORKING else read_snapshot(root, version)
                for version in (args.old, args.new))
    changes = compare(old, new)
    label = f"the files as they are now (booklet.yaml: edition {new['edition']})" if args.new == WORKING else None
    print("\n".join(summary_lines(old, new, changes, label)))
    print("\ndraft CHANGELOG.md section (rewrite it in words a patient understands):\n")
    print(changelog_draft(new, changes))
    return 0


def _schemas(args: argparse.Namespace) -> int:
    from .authoring.json_schemas import write_schemas

    for path in write_schemas(args.root.resolve()):
        print(f"wrote {path}")
    return 0


class _Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a closing session, a service manager), handled as Ctrl-C is: the render
    workers stop, temporary files go, the earlier outputs stay; but exit status 143 (128 + 15)."""


def _terminated(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second one must not break the cleaning up
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    # Only while the command runs, and only from the main thread (where Python runs handlers).
    previous = (signal.signal(signal.SIGTERM, _terminated)
                if threading.current_thread() is threading.main_thread() else None)
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _translate(args: argparse.Namespace) -> int:
    from .authoring.translate import font_lines, status, status_lines, status_notes, update

    root = args.root.resolve()
    if args.action == "sign":
        from .authoring.translate import sign_translation

        if not (args.chapter and args.role and args.name and args.checked):
            raise UsageError("booklet translate sign LANGUAGE CHAPTER --as translator|language-reviewer "
                             "--name NAME --checked WHAT: all four are needed")
        written = sign_translation(root, args.language, args.chapter, args.role, args.name, args.checked,
                                   args.date or dt.date.today())
        print(f"signed the {args.language} translation of '{args.chapter}' as {args.role} in {written}")
    elif args.chapter or args.role or args.name or args.checked or args.date:
        raise UsageError(f"booklet: a chapter, --as, --name, --checked and --date are for 'translate sign', "
                         f"not '{args.action}'")
    if args.action in ("extract", "update"):
        for merged in update(root, args.language, args.edition):
            what = (f"{merged.translated} translated, {merged.fuzzy} fuzzy (the English changed), "
                    f"{merged.untranslated} to translate"
                    + (f", {merged.obsolete} obsolete" if merged.obsolete else ""))
            print(f"{'wrote' if merged.changed else 'unchanged'} {merged.path}: {what}")
    found, problems = status(root, args.language, args.edition)
    print("\n".join(status_lines(args.language, found)))
    print("\n".join(font_lines(root, args.language)))
    for note in status_notes(root, args.language):
        print(f"status (from the files): {note}")
    for problem in problems:  # after the table, so the translator still sees how far they are
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _main(argv: list[str] | None) -> int:
    root = Path(".")  # files in messages are named relative to the project
    try:
        args = _parser().parse_args(argv)
        root = args.root
        return {"build": _build, "check": _check, "init": _init, "new": _new, "watch": _watch,
                "release": _release, "review": _review, "diff": _diff, "schemas": _schemas,
                "translate": _translate}[args.command](args)
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
    except OSError as err:  # a read-only or full disk, a file-size limit, a name too long: one line
        from .files import os_error

        print(os_error(err, root.resolve()), file=sys.stderr)
        return 1
    except KeyboardInterrupt as stopped:
        print("booklet: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 128 + signal.SIGTERM if isinstance(stopped, _Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())
