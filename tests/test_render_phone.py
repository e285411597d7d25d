"""The roll-ups (and the plans) on a phone: opened at 390 px in headless Chromium, nothing
sticks out sideways.

Most readers open their email on a phone. Each document is rendered as the email body it is
(CSS inlined), opened in headless Chromium in a frame 390 px wide, and a small script measures
every element: none may reach past the right edge of the screen, except inside a box that
scrolls sideways (a roll-up's wide grids do), and that box itself must fit. Needs Chromium (``make
system-deps`` installs it): skips, saying why, when it is absent, and fails under CI.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from customer_plans.render.context import build_plan_contexts
from customer_plans.render.data import RollupInputs
from customer_plans.render.html import render_plan_html, render_rollup_html
from customer_plans.render.rollup import build_branch_contexts
from customer_plans.words.codes import code_kinds

from tests.support.render_sample import example_bank, sample_bank

BUSINESS_DATE = date(2026, 11, 19)
PHONE_WIDTH = 390
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

# The page the document is opened in: the document in a frame as wide as the phone (a
# headless window is at least 500 px wide), and a script that lists, once it has loaded, the
# elements whose box reaches past the frame's edges. An element inside a box that scrolls or
# clips sideways is judged by that box, which is where the reader sees it.
PHONE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/>
<style>
body { margin: 0; }
iframe { border: 0; display: block; width: %(width)dpx; height: 3000px; }
</style>
</head><body>
<iframe id="phone" srcdoc="%(document)s"></iframe>
<script>
window.addEventListener('load', function () {
  var frame = document.getElementById('phone');
  var doc = frame.contentDocument, view = frame.contentWindow;
  var width = doc.documentElement.clientWidth;
  function sideways(el) {
    for (var box = el.parentElement; box && box !== doc.body; box = box.parentElement) {
      var overflow = view.getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return box;
    }
    return null;
  }
  function name(el) {
    var text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' + text + '"';
  }
  var out = [];
  doc.querySelectorAll('body *').forEach(function (el) {
    var rect = (sideways(el) || el).getBoundingClientRect();
    if (rect.width && (rect.right > width + 0.5 || rect.left < -0.5)) {
      out.push(name(el) + ' spans ' + Math.round(rect.left) + '..' + Math.round(rect.right));
    }
  });
  frame.style.height = doc.documentElement.scrollHeight + 'px';  // for a screenshot
  var report = document.createElement('pre');
  report.id = 'phone-report';
  report.textContent = JSON.stringify({
    viewport: width, page: doc.documentElement.scrollWidth,
    scrolling_boxes: doc.querySelectorAll('.grid-scroll').length, overflowing: out,
  });
  document.body.appendChild(report);
});
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if found is None:
        reason = f"no headless Chromium on PATH ({', '.join(CHROMIUM_NAMES)})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must check the documents at a phone's width but finds {reason}; "
                        "make system-deps installs it")
        pytest.skip(f"{reason}: `make system-deps` (or apt-get install chromium) installs it")
    return found


def on_a_phone(chromium: str, page: str, folder: Path) -> dict:
    """``page`` opened at the phone's width; the measuring script's report."""
    path = folder / "phone.html"
    path.write_text(PHONE % {"width": PHONE_WIDTH, "document": html.escape(page, quote=True)},
                    encoding="utf-8")
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", f"--user-data-dir={folder / 'profile'}",
         "--window-size=500,2000", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    found = re.search(r'<pre id="phone-report">(.*?)</pre>', result.stdout, re.S)
    assert found, f"Chromium gave no report (exit {result.returncode}): {result.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def busy_branch(rules) -> list:
    """The synthetic bank's two branches (one zh, one en) on a busy day: 8 managers, 25 high
    risk customers listed, every exclusion reason there is (the longest labels), a branch pool
    customer, and four-digit counts in the tiles."""
    bank = sample_bank(managers=8, contacts_per_manager=12, book_per_manager=40,
                       business_date=BUSINESS_DATE)
    inputs = bank.inputs
    codes = list(code_kinds(rules)["exclusion"])
    customers = inputs.segments["customer_id"].tolist()
    exclusions = pd.concat([bank.exclusions, pd.DataFrame({
        "customer_id": customers[:len(codes)],
        "manager_id": inputs.segments["manager_id"].tolist()[:len(codes)],
        "reason_code": codes,
    })], ignore_index=True)
    rollup = RollupInputs(inputs.contacts, inputs.segments, inputs.managers, inputs.customers,
                          exclusions, inputs.feedback, inputs.quality)
    return build_branch_contexts(rollup, BUSINESS_DATE, rules)


def documents(rules) -> dict[str, str]:
    """Email bodies by name: the roll-ups of both banks, and two plans to compare with."""
    example = example_bank(BUSINESS_DATE)
    example_inputs = example.inputs
    rollup = RollupInputs(example_inputs.contacts, example_inputs.segments,
                          example_inputs.managers, example_inputs.customers, example.exclusions,
                          example_inputs.feedback, example_inputs.quality)
    pages = {f"roll-up {branch.branch_id} ({branch.words.code}), busy":
             render_rollup_html(branch) for branch in busy_branch(rules)}
    pages.update({
        f"roll-up {branch.branch_id} ({branch.words.code}), with a pool customer":
        render_rollup_html(branch)
        for branch in build_branch_contexts(rollup, BUSINESS_DATE, rules, branch_ids=["B01"])
    })
    pages.update({
        f"plan {plan.manager_id} ({plan.words.code})": render_plan_html(plan)
        for plan in build_plan_contexts(example_inputs, ["M001", "M002"], BUSINESS_DATE, rules)
    })
    return pages


def test_every_roll_up_and_plan_fits_a_390_px_screen(chromium, rules, tmp_path):
    pages = documents(rules)
    assert sum(name.startswith("roll-up") for name in pages) == 3
    problems = {}
    for name, page in pages.items():
        folder = tmp_path / re.sub(r"\W+", "_", name)
        folder.mkdir()
        report = on_a_phone(chromium, page, folder)
        assert report["viewport"] == PHONE_WIDTH, report  # the frame is the phone's screen
        if name.startswith("roll-up"):
            assert report["scrolling_boxes"] >= 2, name  # the grids scroll in their own box
        if report["overflowing"] or report["page"] > PHONE_WIDTH:
            problems[name] = report
    assert not problems, "cut off on a 390 px screen: " + json.dumps(
        problems, ensure_ascii=False, indent=1)
