"""Email-ready HTML: a plan or roll-up rendered, then its CSS inlined with css_inline.

Email clients (Outlook, Gmail) drop ``<style>`` blocks or parts of them; inlined
styles on a table layout survive. Nothing external is referenced, so nothing is
loaded while inlining either.
"""

from __future__ import annotations

from functools import cache

import css_inline
from markupsafe import Markup

from customer_plans.render.context import PlanContext
from customer_plans.render.environment import get_environment, read_stylesheet
from customer_plans.render.rollup import BranchContext


@cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def inline_css(html: str) -> str:
    """``html`` with every ``<style>`` rule moved into ``style`` attributes."""
    return _inliner().inline(html)


def render_plan_html(plan: PlanContext) -> str:
    """One manager's plan as an email body (CSS inlined)."""
    html = get_environment().get_template("plan_email.html").render(
        plan=plan,
        words=plan.words,
        currency=plan.currency,
        medium="email",
        title=plan.document_title,
        stylesheet=Markup(read_stylesheet("plan.css")),
    )
    return inline_css(html)


def render_rollup_html(branch: BranchContext) -> str:
    """One branch roll-up as an email body (CSS inlined)."""
    html = get_environment().get_template("branch_rollup.html").render(
        branch=branch,
        words=branch.words,
        medium="email",
        title=branch.document_title,
        stylesheet=Markup(read_stylesheet("plan.css")),
    )
    return inline_css(html)
