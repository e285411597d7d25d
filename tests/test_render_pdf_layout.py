"""Paper: long plans paginate cleanly, long names wrap inside the page, and the PDF renderer
reads nothing but the project's templates and the system fonts."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
import weasyprint
from customer_plans.render.batch import (
    plan_section,
    render_plans,
    rollup_section,
    write_documents,
)
from customer_plans.render.context import build_plan_contexts
from customer_plans.render.data import RollupInputs
from customer_plans.render.environment import PLAN_TEMPLATES_DIR
from customer_plans.render.pdf import (
    PlanURLFetcher,
    PrintSection,
    harfbuzz_subset_available,
    html_document,
    print_document_html,
    print_stylesheet,
)
from customer_plans.render.rollup import build_branch_contexts
from weasyprint.urls import FatalURLFetchingError

from tests.support.render_sample import example_bank, sample_bank

BUSINESS_DATE = date(2026, 11, 19)
LONG_LATIN = "Wolfeschlegelsteinhausenbergerdorff-Maximilian-Alexander-Bartholomew"
LONG_CHINESE = "欧阳" + "慕容端木上官司马诸葛" * 3
LONG_MANAGER = "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Senior"


@pytest.fixture(scope="module")
def long_plan(rules, tmp_path_factory) -> tuple[Path, list[str]]:
    """One manager with 200 plan lines, some customers with very long names."""
    bank = sample_bank(managers=1, contacts_per_manager=200, book_per_manager=200,
                       deferred_per_manager=0, seed=3)
    customers = bank.inputs.customers.copy()
    first = bank.inputs.contacts["customer_id"].iloc[:2].tolist()
    customers.loc[customers["customer_id"] == first[0], "customer_name"] = LONG_LATIN
    customers.loc[customers["customer_id"] == first[1], "customer_name"] = LONG_CHINESE
    managers = bank.inputs.managers.copy()
    managers.loc[0, "manager_name"] = LONG_MANAGER
    inputs = replace(bank.inputs, customers=customers, managers=managers)
    plans = build_plan_contexts(inputs, ["M0001"], BUSINESS_DATE, rules)
    out = tmp_path_factory.mktemp("long_plan")
    write_documents(render_plans(plans), out)
    return out / "M0001.pdf", plans[0].customer_ids


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_a_200_contact_plan_runs_over_many_numbered_pages(long_plan):
    path, customer_ids = long_plan
    assert len(customer_ids) == 200
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))
    assert pages >= 15
    for page in range(1, pages + 1):
        text = run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-")
        assert "Hubert Blaine" in text.splitlines()[0], page  # running header on every page
        assert re.search(rf"(?<!\d){page}\s*/\s*{pages}\s*$", text.strip()), page
    printed = re.findall(r"\bC\d{7}\b", run("pdftotext", str(path), "-"))
    assert sorted(printed) == sorted(customer_ids)  # every line once, none lost at a break


def test_long_names_wrap_inside_the_page(long_plan):
    path, _ = long_plan
    flat = re.sub(r"\s", "", run("pdftotext", str(path), "-"))
    assert LONG_LATIN.replace("-", "") in flat.replace("-", "") and LONG_CHINESE in flat
    bbox = run("pdftotext", "-bbox", str(path), "-")
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges and max(right_edges) <= width - 20  # inside the 13 mm margin, roughly


def test_fetcher_reads_templates_and_fonts_only():
    fetcher = PlanURLFetcher()
    css = PLAN_TEMPLATES_DIR / "plan.css"
    assert fetcher.allows(css.as_uri()) == css.resolve()
    fonts = sorted(Path("/usr/share/fonts").rglob("*.tt[cf]"))
    if fonts:
        assert fetcher.allows(fonts[0].as_uri()) == fonts[0].resolve()
    for url in ("https://example.com/x.png", "http://127.0.0.1:8080/", "file:///etc/passwd",
                (PLAN_TEMPLATES_DIR / ".." / ".." / "config" / "rules.yaml").as_uri(),
                "data:text/plain,hello", "ftp://example.com/x"):
        assert fetcher.allows(url) is None, url
    response = fetcher.fetch(css.as_uri())
    assert b"font-family" in response.read()


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://example.com/tracker.png">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<div style="background: url(http://127.0.0.1:9/x.png)">x</div>',
    ],
)
def test_pdf_rendering_stops_at_any_outside_resource(html):
    document = weasyprint.HTML(string=html, base_url=str(PLAN_TEMPLATES_DIR) + "/",
                               url_fetcher=PlanURLFetcher())
    with pytest.raises(FatalURLFetchingError):
        document.render()


def test_fonts_are_subset_by_harfbuzz_not_the_slow_fallback(rules, caplog):
    """Without HarfBuzz-Subset WeasyPrint subsets the CJK font with fontTools, about 10 s per
    PDF: 5,000 plans would take half a day. Set-up installs it (scripts/install-system-deps.sh)."""
    assert harfbuzz_subset_available(), "libharfbuzz-subset0 is missing: run `make system-deps`"
    bank = sample_bank(managers=1, contacts_per_manager=3, seed=5)
    with caplog.at_level("WARNING"):
        render_plans(build_plan_contexts(bank.inputs, bank.manager_ids, BUSINESS_DATE, rules))
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()
                or "HarfBuzz-Subset" in r.getMessage()]


def test_print_documents_read_as_xml_lay_out_as_weasyprints_own_parser_does(rules):
    """The print document is read by the C XML parser (pdf.html_document): it must stay
    well-formed XML, and give byte for byte the PDF that WeasyPrint's HTML parser gives,
    hostile and unusual data included."""
    bank = example_bank(BUSINESS_DATE)
    customers = bank.inputs.customers.copy()
    ids = bank.inputs.contacts["customer_id"].tolist()
    for customer_id, name in zip(ids, ["<script>alert(1)</script>", "A & B \"Q\" 'q'",
                                       "喆堃 Ünïcødé", LONG_CHINESE], strict=False):
        customers.loc[customers["customer_id"] == customer_id, "customer_name"] = name
    inputs = replace(bank.inputs, customers=customers)
    plans = build_plan_contexts(inputs, sorted(bank.manager_ids), BUSINESS_DATE, rules)
    assert_both_parsers_print_the_same([plan_section(plan) for plan in plans])


def test_rollup_print_documents_are_read_as_xml_as_well(rules):
    """Roll-ups take the fast path too: their templates write <br/>, not <br>."""
    bank = example_bank(BUSINESS_DATE)
    inputs = RollupInputs(bank.inputs.contacts, bank.inputs.segments, bank.inputs.managers,
                          bank.inputs.customers, bank.exclusions, bank.inputs.feedback,
                          bank.inputs.quality)
    branches = build_branch_contexts(inputs, BUSINESS_DATE, rules)
    assert_both_parsers_print_the_same([rollup_section(branch) for branch in branches])


def assert_both_parsers_print_the_same(sections: list[PrintSection]) -> None:
    """The batch's print document is well-formed XML (so the C XML parser's fast path is the
    one taken), and gives the same PDF bytes as WeasyPrint's own HTML parser."""
    html = print_document_html(sections)
    ElementTree.fromstring(html)
    stylesheet, font_config = print_stylesheet()
    fast = html_document(html).render(stylesheets=[stylesheet], font_config=font_config)
    slow = weasyprint.HTML(string=html, base_url=str(PLAN_TEMPLATES_DIR) + "/",
                           url_fetcher=PlanURLFetcher()).render(
        stylesheets=[stylesheet], font_config=font_config)
    assert len(fast.pages) == len(slow.pages) > len(sections)
    assert fast.write_pdf() == slow.write_pdf()


def test_a_document_that_is_not_xml_is_read_by_weasyprints_parser(tmp_path):
    html = "<!DOCTYPE html><html><body><p>one<br>two &nbsp; three</p></body></html>"
    path = tmp_path / "not-xml.pdf"
    path.write_bytes(html_document(html).render().write_pdf())
    assert run("pdftotext", str(path), "-").split() == ["one", "two", "three"]
