"""The one Jinja environment for plans and roll-ups: autoescape on, StrictUndefined.

Templates read the reader's ``locale`` and ``lang`` from their context: the
formatting filters (``money``, ``percent``, ``rate``, ``date``, ``number``) and
the ``t(key, ...)`` message lookup use them, so a template never passes a locale
around by hand; ``money`` also reads ``currency`` (the rules file's), which a
document that prints amounts must be rendered with. Any data that reaches a
template is escaped; only the charts (built and escaped in ``svg.py``) arrive as
``Markup``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from customer_plans.render import filters
from customer_plans.render.masking import mask_phone
from customer_plans.render.messages import translate
from customer_plans.settings import TEMPLATES_DIR

PLAN_TEMPLATES_DIR = TEMPLATES_DIR / "plans"


@pass_context
def _money(ctx: Context, value: Any) -> str:
    # the rules file's currency, passed with the locale by whoever renders (html.py, batch.py)
    return filters.format_money(value, ctx["locale"], ctx["currency"])


@pass_context
def _percent(ctx: Context, value: Any) -> str:
    return filters.format_signed_percent(value, ctx["locale"])


@pass_context
def _rate(ctx: Context, value: Any) -> str:
    return filters.format_rate(value, ctx["locale"])


@pass_context
def _number(ctx: Context, value: Any, decimals: int = 0) -> str:
    return filters.format_number(value, ctx["locale"], decimals)


@pass_context
def _date(ctx: Context, value: Any, style: str = "medium") -> str:
    return filters.format_date(value, ctx["locale"], style)


@pass_context
def _t(ctx: Context, key: str, **values: Any) -> str:
    return translate(key, ctx["lang"], **values)


@cache
def get_environment(templates_dir: Path = PLAN_TEMPLATES_DIR) -> Environment:
    """The shared environment (built once per process)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=_money,
        percent=_percent,
        rate=_rate,
        number=_number,
        date=_date,
        mask_phone=mask_phone,
    )
    env.globals["t"] = _t
    return env


@cache
def read_stylesheet(name: str, templates_dir: Path = PLAN_TEMPLATES_DIR) -> str:
    """The text of a stylesheet next to the templates (``plan.css``, ``print.css``)."""
    return (templates_dir / name).read_text(encoding="utf-8")
