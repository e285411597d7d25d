"""Writing PDFs with the print font (Plan Sans SC) vs with the full system CJK font only.

    .venv/bin/python benchmarks/bench_print_font.py --sections 10 --repeat 3

Lays out ``--sections`` Chinese documents of about four pages each (names in bold,
numbers, punctuation, a name with a character outside GB2312 every ``--rare-every``
paragraphs, which the subset lacks) as one print batch,
as ``render_section_pdfs`` does, and writes each as its own PDF: once with the print
font's ``@font-face`` rules, once without them (the same text then falls back to
Noto Sans CJK SC). Prints CPU seconds per PDF for the layout and for the writing, and
the mean PDF size. Needs the print font built (``make setup``). Nothing is written.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from unittest import mock

from markupsafe import Markup, escape

FONT_FAMILY = '"Plan Sans SC", "Noto Sans CJK SC", sans-serif'
RARE_NAME_CHARS = "喆堃玥昇"  # outside GB2312: the subset lacks them, Noto prints them


def _document(rng: random.Random, hanzi: list[str], paragraphs: int, rare_every: int) -> Markup:
    """About four A4 pages of plan-like Chinese: a bold name, then a few sentences."""
    vocabulary = rng.sample(hanzi, 900)  # a plan uses hundreds of distinct characters

    def words(count: int) -> str:
        return "".join(rng.choice(vocabulary) for _ in range(count))

    parts = [f'<div style=\'font-family: {FONT_FAMILY}; font-size: 9pt\'>']
    for index in range(paragraphs):
        rare = rare_every and index % rare_every == 0
        name = words(1) + (RARE_NAME_CHARS[index % len(RARE_NAME_CHARS)] if rare else words(2))
        parts.append(
            f"<p><b>{index + 1}. {escape(name)}</b> · {escape(words(4))} · "
            f"¥{rng.randint(10_000, 9_000_000):,} · {rng.randint(-30, 30)}%<br>"
            f"{escape(words(30))}，{escape(words(24))}。{escape(words(18))}；"
            f"{escape(words(12))}（{rng.randint(1, 28)}日）。</p>"
        )
    parts.append("</div>")
    return Markup("".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=10, help="PDFs per batch")
    parser.add_argument("--paragraphs", type=int, default=48, help="paragraphs per PDF (~4 pages)")
    parser.add_argument("--rare-every", type=int, default=12,
                        help="a name outside GB2312 every N paragraphs (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    from customer_plans.render import pdf
    from customer_plans.render.fonts import PRINT_FONT_DIR, gb2312_chars, print_font_css

    if not print_font_css():
        sys.exit(f"the print font is not built in {PRINT_FONT_DIR}: run `make setup` first")
    rng = random.Random(7)
    hanzi = gb2312_chars(range(0xB0, 0xD8))  # level 1: the most common hanzi
    sections = [
        pdf.PrintSection(
            f"m{i}", _document(rng, hanzi, args.paragraphs, args.rare_every), "zh", f"plan {i}"
        )
        for i in range(args.sections)
    ]

    def run(with_font: bool) -> tuple[float, float, int, int]:
        css = print_font_css() if with_font else ""
        with mock.patch.object(pdf, "print_font_css", return_value=css):
            started = time.process_time()
            document = pdf.layout(pdf.print_document_html(sections))
            laid_out = time.process_time()
            files = [
                document.copy([document.pages[i] for i in pages]).write_pdf()
                for pages in pdf.section_page_ranges(document, sections)
            ]
            written = time.process_time()
        pages = len(document.pages) - 2  # the batch's two edge pages
        return laid_out - started, written - laid_out, sum(map(len, files)), pages

    run(True)  # warm-up: imports, fontconfig, the font files
    best = {True: (float("inf"),) * 2, False: (float("inf"),) * 2}
    sizes, pages = {}, 0
    for _ in range(args.repeat):
        for with_font in (True, False):  # alternate, so drift on a shared machine hits both
            layout_s, write_s, size, pages = run(with_font)
            best[with_font] = (min(best[with_font][0], layout_s), min(best[with_font][1], write_s))
            sizes[with_font] = size
    n = args.sections
    print(f"{n} PDFs, {pages / n:.1f} pages each, CPU seconds per PDF (best of {args.repeat}):")
    for with_font, label in ((False, "Noto Sans CJK SC only"), (True, "Plan Sans SC + fallback")):
        layout_s, write_s = best[with_font]
        print(f"  {label:24} layout {layout_s / n:.3f} s  write {write_s / n:.3f} s  "
              f"size {sizes[with_font] / n / 1024:,.0f} KB")
    print(f"  write time {best[True][1] / best[False][1] - 1:+.0%}, "
          f"size {sizes[True] / sizes[False] - 1:+.0%} with the print font")


if __name__ == "__main__":
    main()
