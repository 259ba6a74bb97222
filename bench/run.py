"""The build benchmark (`make bench`): prints the figures and writes docs/performance.md.

A benchmark, not a test: one run on whatever machine it is given, reported as
ratios measured in that same run, because these machines are noisy.

  (a) each output: the pipeline's render against plain WeasyPrint on the same build/html document
  (b) the whole default set from clean: parallel against serial, and against the plain renders' sum
  (c) a rebuild with nothing changed   (d) a rebuild after editing one chapter
  (e) a synthetic booklet 10x the size: time and peak memory growth, one output
  (f) pandoc -> WeasyPrint on the same chapters, where pypandoc-binary is installed
  (g) the test suite, as `make test` runs it (its install steps aside)
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("booklet.yaml", "references.yaml", "CHANGELOG.md")
PROJECT_FOLDERS = ("chapters", "styles", "images", "brands")
TARGETS = {"parallel_vs_plain": 0.6, "overhead": 0.05, "no_change_s": 0.5, "check_s": 2.0}


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, destination / name)
    for folder in PROJECT_FOLDERS:
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, destination / folder)
    return destination


def run_build(root: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of `booklet build` in a fresh process tree."""
    code = ("import resource, sys, time; from booklet.cli import main; t = time.perf_counter(); "
            "rc = main(sys.argv[1:]); wall = time.perf_counter() - t; "
            "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(f'BENCH {wall} {peak} {rc}')")
    out = subprocess.run([sys.executable, "-c", code, "--root", str(root), "build", *args],
                         capture_output=True, text=True, check=True).stdout
    wall, peak, rc = re.search(r"BENCH (\S+) (\S+) (\S+)", out).groups()
    assert rc == "0", out
    return float(wall), int(peak)


def plain_weasyprint(html_file: Path, accessible: bool) -> float:
    """Seconds for WeasyPrint alone to render a saved HTML document (already imported)."""
    import weasyprint

    start = time.perf_counter()
    options = {"pdf_variant": "pdf/ua-1"} if accessible else {}
    weasyprint.HTML(filename=str(html_file)).write_pdf(**options)
    return time.perf_counter() - start


SPENT = {"weasyprint": 0.0, "collect": 0.0}  # inside pipeline_render: WeasyPrint's calls, the collection after


def _timed(function, bucket: str):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[bucket] += time.perf_counter() - start
    return wrapper


def pipeline_render(root: Path, stem: str) -> float:
    """Seconds for the pipeline's render step on one output (WeasyPrint inside it timed apart)."""
    import weasyprint
    from weasyprint.document import Document

    from booklet.render import pdf
    from booklet.render.jobs import RenderJob
    from booklet.render.plan import make_plan
    from booklet.render.resources import DEFAULT_STYLE_DIR, FONT_DIR
    from booklet.render.xmp import xmp_metadata
    from booklet.source.project import load_project

    weasyprint.HTML.render = _timed(weasyprint.HTML.render, "weasyprint")
    Document.write_pdf = _timed(Document.write_pdf, "weasyprint")
    pdf.collect_garbage = _timed(pdf.collect_garbage, "collect")
    project = load_project(root)
    plan = make_plan(project.config, project.chapters, project.references, project.history)
    output = next(o for o in plan.outputs if o.stem == stem)
    html = (root / "build" / output.html_name).read_text(encoding="utf-8")
    job = RenderJob(html, root / "build" / output.html_name, root, (FONT_DIR, DEFAULT_STYLE_DIR), b"0" * 16, 0,
                    True, xmp_metadata(plan, output))
    start = time.perf_counter()
    pdf.render_job(job)
    return time.perf_counter() - start


def _fresh(code: str, *args: str) -> list[float]:
    """Run `code` (which prints BENCH and numbers) in a fresh Python: the numbers."""
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO / 'bench')!r}); "
                          "import resource, run; from pathlib import Path; " + code, *args],
                         capture_output=True, text=True, check=True).stdout
    return [float(n) for n in re.search(r"BENCH (.+)", out).group(1).split()]


def fresh_plain(html_file: Path) -> float:
    """Plain WeasyPrint (PDF/UA, as the pipeline renders) in a fresh process, import excluded."""
    return _fresh("print('BENCH', run.plain_weasyprint(Path(sys.argv[1]), True))", str(html_file))[0]


def single_output_run(root: Path, stem: str) -> tuple[float, int, float, float]:
    """The pipeline's render of one output in a fresh process: seconds, peak RSS in KiB, and the
    seconds of its own work and of the garbage collection after WeasyPrint."""
    total, peak, weasy, collect = _fresh(
        "t = run.pipeline_render(Path(sys.argv[1]), sys.argv[2]); "
        "print('BENCH', t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, run.SPENT['weasyprint'], "
        "run.SPENT['collect'])", str(root), stem)
    return total, int(peak), total - weasy - collect, collect


def make_bigger(root: Path, factor: int) -> None:
    """Repeat every chapter `factor` times under new ids and orders. In the copies a quick-guide
    block is ordinary text: the quick guide must stay four pages, so ten times its text would fail."""
    chapters = sorted((root / "chapters").glob("*.md"))
    for copy in range(1, factor):
        for path in chapters:
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"^id: (.+)$", lambda m: f"id: {m.group(1)}-copy{copy}", text, count=1, flags=re.M)
            text = re.sub(r"^order: (\d+)$", lambda m: f"order: {int(m.group(1)) + 100 * copy}", text,
                          count=1, flags=re.M)
            text = re.sub(r"^:::\s*quick-guide\s*\n(.*?)^:::\s*$", r"\1", text, flags=re.M | re.S)
            (root / "chapters" / f"{copy:02d}-{path.name}").write_text(text, encoding="utf-8")


def pandoc_comparison(root: Path) -> str:
    try:
        import pypandoc
    except ImportError:
        return "pandoc: pypandoc-binary is not installed; skipped"
    import weasyprint

    from booklet.source.project import load_project
    project = load_project(root)
    markdown = "\n\n".join(f"# {c.title}\n\n" + c.markdown_for("patient") for c in project.chapters
                           if c.is_for("patient"))
    start = time.perf_counter()
    html = pypandoc.convert_text(markdown, "html5", format="markdown", extra_args=["--standalone",
                                 "--metadata", "title=Calciphylaxis"])
    converted = time.perf_counter() - start
    weasyprint.HTML(string=html, base_url=str(root)).write_pdf()
    total = time.perf_counter() - start
    return f"pandoc -> WeasyPrint, patient chapters, unstyled: {total:.2f} s ({converted:.2f} s in pandoc)"


def test_suite() -> str:
    """`make test`'s own step, timed: the checkers and the tests on every core."""
    start = time.perf_counter()
    result = subprocess.run(["make", "--no-print-directory", "-s", "test"], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = next((line for line in reversed(result.stdout.splitlines()) if " passed" in line or " failed" in line),
                   "no summary")
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    return (f"make test (dependencies already installed): {seconds:.1f} s wall on "
            f"{len(os.sched_getaffinity(0))} cores; {summary.strip('= ')} (target at most 60 s)"
            + "".join(f"\n    failed: {name}" for name in failed))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = len(os.sched_getaffinity(0))
    return (f"{cpu}, {cores} cores available, {memory:.0f} GiB RAM; Python {platform.python_version()}, "
            f"WeasyPrint {version('weasyprint')}")


def web_and_epub_cost(root: Path, full_clean: float, full_no_change: float) -> str:
    """(h) What the web site and the e-books add: the same builds with `--formats pdf`."""
    pdf_clean = float("inf")
    for _ in range(2):
        shutil.rmtree(root / "build")
        pdf_clean = min(pdf_clean, run_build(root, "--formats", "pdf")[0])
    pdf_no_change = min(run_build(root, "--formats", "pdf")[0] for _ in range(2))
    # The PDFs from the cache, the web site and e-books made afresh (the PDF-only builds pruned them):
    # the table says how long each took.
    out = subprocess.run([sys.executable, "-m", "booklet", "--root", str(root), "build"], check=True,
                         capture_output=True, text=True).stdout
    made = re.findall(r"^(web/ \(\d+ files\)|\S+\.epub)\s+(\d+(?:\.\d+)? [KM]iB)\s+(\d+\.\d+) s$", out, re.M)
    full_no_change = min(full_no_change, run_build(root)[0])
    parts = "; ".join(f"{name} {size} in {seconds} s" for name, size, seconds in made)
    return (f"(h) The web site and the e-books: {parts}\n"
            f"    clean build: PDFs only (--formats pdf) {pdf_clean:.1f} s, everything {full_clean:.1f} s = "
            f"{full_clean / pdf_clean - 1:+.1%} (target at most +15%)\n"
            f"    no-change rebuild: PDFs only {pdf_no_change:.2f} s, everything {full_no_change:.2f} s = "
            f"{full_no_change / pdf_no_change - 1:+.1%}")


def main() -> int:
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory(prefix="booklet-bench-") as scratch:
        scratch = Path(scratch)
        root = copy_project(scratch / "booklet")
        say(f"Machine: {machine()}")
        say(f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
        say()

        serial, serial_peak = run_build(root, "--jobs", "1")
        parallel = float("inf")
        for _ in range(2):  # best of 2: one noisy moment should not decide the target
            shutil.rmtree(root / "build")
            parallel = min(parallel, run_build(root)[0])
        manifest = __import__("json").loads((root / "build" / "manifest.json").read_text())

        say("(a) Each output: the pipeline's render step against plain WeasyPrint on the same HTML, each in a")
        say("    fresh process, import excluded (best of 3, alternating)")
        say(f"    {'output':<52} {'plain s':>7} {'ours s':>7} {'ratio':>6} {'own s':>6} {'own %':>6} {'gc s':>5}")
        plain_total = 0.0
        ratios, owns = [], []
        for entry in manifest["outputs"]:
            if entry["format"] != "pdf" or entry.get("for_printing_only"):  # the imposed sheets: no HTML
                continue
            stem = entry["path"].removesuffix(".pdf")
            html_file = root / "build" / "html" / f"{stem}.html"
            plain, ours, own, collect = (float("inf"),) * 4
            for _ in range(3):
                plain = min(plain, fresh_plain(html_file))
                total, _, own_now, collect_now = single_output_run(root, stem)
                if total < ours:
                    ours, own, collect = total, own_now, collect_now
            plain_total += plain
            ratios.append(ours / plain)
            owns.append(own / ours)
            say(f"    {stem:<52} {plain:>7.2f} {ours:>7.2f} {ours / plain:>6.2f} {own:>6.3f} {own / ours:>6.1%} "
                f"{collect:>5.2f}")
        say("    own: our code in the render step (fetcher, log watch, overflow check), timed directly;")
        say("    gc: the one garbage collection after the render (booklet/render/pdf.py: WeasyPrint runs with the")
        say("    collector set to run less often, then its garbage is freed at once). Overhead against plain")
        say(f"    WeasyPrint, all included: median {sorted(ratios)[len(ratios) // 2] - 1:+.1%}, worst "
            f"{max(ratios) - 1:+.1%}; own code: median {sorted(owns)[len(owns) // 2]:.1%}, worst {max(owns):.1%} "
            f"(target at most {TARGETS['overhead']:.0%})")
        say()
        say("(b) The whole default set from clean (9 PDFs: 7 renders, 2 printing notes, 2 impositions;")
        say("    each note and imposition starts as soon as its booklet is done)")
        say(f"    serial (--jobs 1): {serial:.1f} s, peak {serial_peak / 1024:.0f} MiB per process")
        say(f"    parallel (default, {len(os.sched_getaffinity(0))} jobs, best of 2): {parallel:.1f} s "
            f"= {parallel / serial:.2f}x serial")
        say(f"    plain WeasyPrint, sum of the 7 documents: {plain_total:.1f} s; parallel build "
            f"= {parallel / plain_total:.2f}x that sum (target at most {TARGETS['parallel_vs_plain']}x)")
        say()
        no_change, _ = run_build(root)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "booklet", "--root", str(root), "build"], check=True,
                       capture_output=True)
        whole_process = time.perf_counter() - start
        say(f"(c) No-change rebuild: {no_change:.2f} s inside the command, {whole_process:.2f} s for the "
            f"whole process (target under {TARGETS['no_change_s']} s)")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "booklet", "--root", str(root), "check"], check=True,
                       capture_output=True)
        say(f"    booklet check (every validation, readability and review dates, no rendering): "
            f"{time.perf_counter() - start:.2f} s for the whole process (target under {TARGETS['check_s']} s)")
        chapter = root / "chapters" / "11-get-help-urgently.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\nTell your team how you feel [@nkf-2023].\n",
                           encoding="utf-8")
        edited, _ = run_build(root)
        say(f"(d) One patient chapter edited: {edited:.1f} s ({edited / parallel:.2f}x a clean build; "
            "the clinician outputs come from the cache)")
        say()
        say(web_and_epub_cost(root, parallel, no_change))
        say()

        stem = next(e["path"] for e in manifest["outputs"]
                    if e["audience"] == "patient" and e["variant"] == "standard" and e["paper"] == "a4")
        stem = stem.removesuffix(".pdf")
        one_time, one_peak = min(single_output_run(root, stem)[:2] for _ in range(2))
        big = copy_project(scratch / "big")
        make_bigger(big, 10)
        run_build(big)
        big_pages = next(e["pages"] for e in __import__("json").loads((big / "build" / "manifest.json").read_text())
                         ["outputs"] if e["path"] == f"{stem}.pdf")
        ten_time, ten_peak = min(single_output_run(big, stem)[:2] for _ in range(2))
        plain_one = fresh_plain(root / "build" / "html" / f"{stem}.html")
        plain_ten = fresh_plain(big / "build" / "html" / f"{stem}.html")
        pages = next(e["pages"] for e in manifest["outputs"] if e["path"] == f"{stem}.pdf")
        growth = ten_time / one_time
        say(f"(e) Content 10x (every chapter 10 times: {pages} -> {big_pages} pages; patient standard A4 render, "
            "best of 2):")
        say(f"    {one_time:.1f} s -> {ten_time:.1f} s = {growth:.1f}x time for 10x content and "
            f"{big_pages / pages:.1f}x pages ({'no worse than' if growth <= 10 else 'WORSE than'} linear)")
        say(f"    peak memory {one_peak / 1024:.0f} -> {ten_peak / 1024:.0f} MiB = {ten_peak / one_peak:.1f}x")
        say(f"    (plain WeasyPrint on the same HTML: {plain_one:.1f} s -> {plain_ten:.1f} s = "
            f"{plain_ten / plain_one:.1f}x)")
        say(f"(f) {pandoc_comparison(root)}")
        say(f"(g) {test_suite()}")

    text = "\n".join(lines)
    document = (REPO / "docs" / "performance.md")
    document.parent.mkdir(exist_ok=True)
    document.write_text("# Build performance\n\nWritten by `make bench` (bench/run.py). Ratios come from one run "
                        "on the machine named below; the machines are noisy, so compare ratios, not seconds.\n\n"
                        "```\n" + text + "\n```\n", encoding="utf-8")
    print(f"\nwrote {document.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
