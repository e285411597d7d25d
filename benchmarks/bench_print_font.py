"""Writing PDFs with a language's print font vs with the full system CJK font only.

    .venv/bin/python benchmarks/bench_print_font.py --sections 10 --repeat 3 [--language CODE]

Lays out ``--sections`` documents of about four pages each in the hanzi of the language's
print font (the most frequent of its character set; names in bold, numbers, punctuation,
a name with a character outside the set every ``--rare-every`` paragraphs, which the
subset lacks) as one print batch, tagged with the language (the default language of the
languages file unless ``--language``), as ``render_section_pdfs`` does, and writes each as
its own PDF: once with the print fonts' ``@font-face`` rules, once without them (the same
text then falls back to the family's source, e.g. Noto Sans CJK SC). Prints CPU seconds
per PDF for the layout and for the writing, and the mean PDF size. Needs the print fonts
built (``make setup``). Nothing is written.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from unittest import mock

from markupsafe import Markup, escape

# name characters the print font's character set may lack (the subset then lacks them and
# the source font prints them): 喆 and 堃 are in neither GB2312 nor Big5, 䶮 in neither HKSCS
RARE_NAME_CHARS = "喆堃玥昇䶮"


def _document(
    rng: random.Random, hanzi: list[str], rare_chars: str, paragraphs: int, rare_every: int
) -> Markup:
    """About four A4 pages of plan-like Chinese: a bold name, then a few sentences."""
    vocabulary = rng.sample(hanzi, 900)  # a plan uses hundreds of distinct characters

    def words(count: int) -> str:
        return "".join(rng.choice(vocabulary) for _ in range(count))

    parts = ['<div style="font-size: 9pt">']
    for index in range(paragraphs):
        rare = rare_every and index % rare_every == 0
        name = words(1) + (rare_chars[index % len(rare_chars)] if rare else words(2))
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
    parser.add_argument("--language", help="a language of the languages file (default its "
                                           "default language)")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    from customer_plans.render import fonts, pdf
    from customer_plans.words import words_in
    from customer_plans.words.languages import shipped_languages

    languages = shipped_languages()
    code = args.language or languages.default
    if code not in languages.by_code:
        sys.exit(f"no language {code!r} in {languages.source_path}: {', '.join(languages.codes)}")
    words = words_in(code)
    family = next(family for family in fonts.print_families()
                  if family.name == words.language.print_font.family)
    if not all((fonts.PRINT_FONT_DIR / face.file_name).is_file() for face in family.faces):
        sys.exit(f"{family.name} is not built in {fonts.PRINT_FONT_DIR}: run `make setup` first")
    rng = random.Random(7)
    hanzi = fonts.charset_chars(family.charset, fonts.CHARSETS[family.charset].common)
    rare_chars = "".join(char for char in RARE_NAME_CHARS if ord(char) not in family.codepoints())
    if args.rare_every and not rare_chars:
        sys.exit(f"{family.charset} has every character of {RARE_NAME_CHARS}: use --rare-every 0")
    sections = [
        pdf.PrintSection(
            f"m{i}", _document(rng, hanzi, rare_chars, args.paragraphs, args.rare_every),
            words, f"plan {i}",
        )
        for i in range(args.sections)
    ]

    def run(with_font: bool) -> tuple[float, float, int, int]:
        # without the print fonts' faces, the same family lists fall back to the sources
        css = fonts.print_font_css() if with_font else fonts.print_family_css()
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
    labels = ((False, f"{family.source} only"), (True, f"{family.name} + fallback"))
    for with_font, label in labels:
        layout_s, write_s = best[with_font]
        print(f"  {label:24} layout {layout_s / n:.3f} s  write {write_s / n:.3f} s  "
              f"size {sizes[with_font] / n / 1024:,.0f} KB")
    print(f"  write time {best[True][1] / best[False][1] - 1:+.0%}, "
          f"size {sizes[True] / sizes[False] - 1:+.0%} with the print font")


if __name__ == "__main__":
    main()
