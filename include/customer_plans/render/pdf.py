"""PDF with WeasyPrint: many plans laid out as ONE document, split into one file each.

WeasyPrint's cost is mostly fixed per document (about 0.37 s here), so a batch of
plans is laid out together: each plan is a ``<section>`` on its own named pages
(``plan0``, ``plan1``...), the page counter restarts at each plan's first page
(``@page :nth(1 of planN)``) and the "1 / 3" total is the page number of the
plan's end marker (``target-counter``), so numbering is per plan. The laid-out
pages of each plan are then written as a PDF of their own with
``Document.copy(pages)``: one layout, many files, no extra dependency.

The URL fetcher reads only files under the plan templates and the system font
folders and refuses everything else, fatally: a plan never touches the network.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import cssselect2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration

from customer_plans.render.environment import (
    PLAN_TEMPLATES_DIR,
    get_environment,
    read_stylesheet,
)
from customer_plans.render.fonts import print_font_css
from customer_plans.settings import TEMPLATES_DIR
from customer_plans.words import Words, words_for

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
)


class RefusedResourceError(ValueError):
    """A document asked for a resource outside the allowed folders."""


class PlanURLFetcher(weasyprint.URLFetcher):
    """Serves ``file:`` URLs under the templates and font folders; refuses anything else."""

    def __init__(self, allowed_dirs: Sequence[Path] = (TEMPLATES_DIR, *SYSTEM_FONT_DIRS)):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.allowed_dirs = tuple(Path(d).resolve() for d in allowed_dirs)

    def allows(self, url: str) -> Path | None:
        """The local path ``url`` names when it may be read, else ``None``."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if any(path.is_relative_to(allowed) for allowed in self.allowed_dirs) and path.is_file():
            return path
        return None

    def fetch(self, url, headers=None):  # noqa: D102 - WeasyPrint's fetcher interface
        path = self.allows(url)
        if path is None:
            raise RefusedResourceError(
                f"render refuses to fetch {url!r}: only files under {TEMPLATES_DIR} and the "
                "system font folders may be read"
            )
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return weasyprint.urls.URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": media_type}
        )


@dataclass(frozen=True)
class PrintSection:
    """One plan (or roll-up) of a print batch: its rendered body, its reader's words (the
    language it is tagged with) and its PDF title.

    ``key`` (the manager or branch id) names the section's anchors; it must be
    unique within a batch.
    """

    key: str
    body: Markup
    words: Words
    title: str

    @property
    def anchor(self) -> str:
        # derived from the key alone, never from the position in the batch: the anchors
        # end up in the PDF, which must come out the same whichever batch renders it
        return "s" + hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]


def page_rules(sections: Sequence[PrintSection]) -> str:
    """Per-section @page rules: page numbers restart at 1 and total per section.

    The footer is the section's confidentiality notice (``string(confidential)``, set in its
    header) and then its page number, in one margin box.
    """
    rules = []
    for section in sections:
        name = f"p{section.anchor}"
        rules.append(
            f"@page {name} {{ @bottom-right {{ content: string(confidential) \" · \" "
            f"counter(page) \" / \" target-counter(url(#end-{section.anchor}), page); }} }}\n"
            f"@page :nth(1 of {name}) {{ counter-reset: page 1; }}"
        )
    return "\n".join(rules)


def print_stylesheet_text() -> str:
    """The print stylesheet every batch shares: the print font, plan.css and print.css."""
    return "\n".join(
        [print_font_css(), read_stylesheet("plan.css"), read_stylesheet("print.css")]
    )


@functools.lru_cache(maxsize=4)
def _parsed_print_stylesheet(text: str) -> tuple[weasyprint.CSS, FontConfiguration]:
    font_config = FontConfiguration()
    stylesheet = weasyprint.CSS(
        string=text,
        base_url=str(PLAN_TEMPLATES_DIR) + "/",
        url_fetcher=PlanURLFetcher(),
        font_config=font_config,
    )
    return stylesheet, font_config


def print_stylesheet() -> tuple[weasyprint.CSS, FontConfiguration]:
    """The shared print stylesheet, parsed once per process, and the fonts it loaded.

    Parsing the stylesheets and loading the print font's @font-face files used to be paid
    by every batch; the parsed stylesheet and its FontConfiguration are reused by every
    layout in the process (keyed by the stylesheets' text, so an edited file is read anew).
    """
    return _parsed_print_stylesheet(print_stylesheet_text())


def print_document_html(sections: Sequence[PrintSection]) -> str:
    """The whole batch as one HTML document for WeasyPrint.

    The document carries only the batch's own @page rules; the shared stylesheet
    (``print_stylesheet``) is applied at layout.
    """
    keys = [section.key for section in sections]
    if len(set(keys)) != len(keys):
        raise ValueError("render: a print batch names the same plan twice")
    return get_environment().get_template("plan_print.html").render(
        sections=[
            {
                "anchor": section.anchor,
                "page_name": f"p{section.anchor}",
                "body": section.body,
                "html_lang": section.words.html_lang,
            }
            for section in sections
        ],
        # the document's own language: its first section's (each section is tagged with its own)
        words=sections[0].words if sections else words_for(None),
        medium="print",
        title="customer-plans",
        stylesheet=Markup(page_rules(sections)),
    )


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools.

    With fontTools, subsetting the CJK font costs about 10 s per PDF instead of 0.03 s.
    """
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None


@functools.cache
def warn_without_harfbuzz_subset() -> None:
    """Say once per process, in words an operator can act on, why PDFs are slow."""
    if not harfbuzz_subset_available():
        log.warning(
            "render: HarfBuzz-Subset is not installed, so each PDF takes seconds to subset "
            "the CJK font; install libharfbuzz-subset0 (Debian/Ubuntu) or harfbuzz, "
            "e.g. with `make system-deps`"
        )


def html_document(html: str) -> weasyprint.HTML:
    """``html`` read into a WeasyPrint document, ready to lay out.

    The print document (``plan_print.html``) is written as well-formed XML, so the C XML
    parser reads it: WeasyPrint's own HTML parser is pure Python and took a tenth of a
    plan's render time, most of it on the inline SVG's attributes. For well-formed input
    both parsers give the same element tree (tests check, for plans and roll-ups, that the
    PDFs come out byte for byte the same; templates write ``<br/>``, not ``<br>``). Anything
    the XML parser refuses (a control character in the data, say) is read by WeasyPrint's
    parser, as before.
    """
    base_url = str(PLAN_TEMPLATES_DIR) + "/"
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=PlanURLFetcher())
    document = weasyprint.HTML(string="<html></html>", base_url=base_url,
                               url_fetcher=PlanURLFetcher())
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(
        root, content_language=None
    )
    document.etree_element = document.wrapper_element.etree_element
    return document


def layout(html: str) -> weasyprint.Document:
    """Lay out ``html`` with the shared print stylesheet, once (the expensive step)."""
    warn_without_harfbuzz_subset()
    stylesheet, font_config = print_stylesheet()
    return html_document(html).render(stylesheets=[stylesheet], font_config=font_config)


def section_page_ranges(
    document: weasyprint.Document, sections: Sequence[PrintSection]
) -> list[range]:
    """The pages of each section: from the page holding its anchor to the next one's.

    The batch ends with a page of its own (``batch-end``) so that every section,
    the last one included, is followed by a page break.
    """
    first_page: dict[str, int] = {}
    for page_index, page in enumerate(document.pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, page_index)
    missing = [s.key for s in sections if s.anchor not in first_page]
    if missing or "batch-end" not in first_page:
        raise RuntimeError(f"render: print sections {missing} have no page in the laid-out batch")
    starts = [first_page[s.anchor] for s in sections]
    if starts != sorted(set(starts)):
        raise RuntimeError(f"render: print sections share or reorder pages: {starts}")
    ends = [*starts[1:], first_page["batch-end"]]
    return [range(start, end) for start, end in zip(starts, ends, strict=True)]


def render_section_pdfs(sections: Sequence[PrintSection]) -> list[bytes]:
    """One PDF per section, from a single layout of all of them."""
    if not sections:
        return []
    document = layout(print_document_html(sections))
    pdfs = []
    for section, pages in zip(sections, section_page_ranges(document, sections), strict=True):
        part = document.copy([document.pages[i] for i in pages])
        # each file gets its own title; the batch's metadata object stays untouched
        part.metadata = copy.copy(document.metadata)
        part.metadata.title = section.title
        part.metadata.lang = section.words.html_lang
        pdfs.append(part.write_pdf())
    return pdfs
