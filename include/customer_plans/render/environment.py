"""The one Jinja environment for plans and roll-ups: autoescape on, StrictUndefined, gettext.

Templates read the reader's ``words`` (a ``customer_plans.words.Words``) from their context,
so one environment serves every language: the i18n extension's ``{% trans %}``, ``_()``,
``ngettext`` and ``pgettext`` look their text up in that reader's catalogue, ``label(kind,
code)`` gives the words for a code (a channel, a priority level...), and the formatting
filters (``money``, ``percent``, ``rate``, ``number``, ``date``) format in that reader's
language; ``money`` also reads ``currency`` (the rules file's), which a document that prints
amounts must be rendered with. Any data that reaches a template is escaped, the values put
into a translated message included; only the charts (built and escaped in ``svg.py``) arrive
as ``Markup``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from customer_plans.render.masking import display_text, mask_phone
from customer_plans.settings import TEMPLATES_DIR
from customer_plans.words.catalog import translations

PLAN_TEMPLATES_DIR = TEMPLATES_DIR / "plans"


# The new-style gettext callables of the i18n extension, written out rather than wrapped by
# ``install_gettext_callables`` (whose wrappers cost a plan a few thousand calls): the
# catalogue's text is escaped (it is text, not HTML) and its placeholders filled with the
# values, each escaped, as the extension's own new-style wrappers do (``%`` always applied,
# so a literal percent sign is ``%%`` in the catalogue).
def _fill(ctx: Context, text: str, variables: dict[str, Any]) -> str:
    variables = {name: display_text(value) for name, value in variables.items()}
    if ctx.eval_ctx.autoescape:
        return escape(text) % variables
    return text % variables


@pass_context
def _gettext(ctx: Context, message: str, /, **variables: Any) -> str:
    return _fill(ctx, translations(ctx["words"].code).gettext(message), variables)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _fill(ctx, translations(ctx["words"].code).ngettext(singular, plural, num),
                 variables)


@pass_context
def _pgettext(ctx: Context, context: str, message: str, /, **variables: Any) -> str:
    return _fill(ctx, translations(ctx["words"].code).pgettext(context, message), variables)


@pass_context
def _npgettext(ctx: Context, context: str, singular: str, plural: str, num: int, /,
               **variables: Any) -> str:
    variables.setdefault("num", num)
    return _fill(ctx, translations(ctx["words"].code).npgettext(context, singular, plural, num),
                 variables)


@pass_context
def _label(ctx: Context, kind: str, code: Any, **values: Any) -> str:
    return ctx["words"].label(kind, code, **values)


@pass_context
def _money(ctx: Context, value: Any) -> str:
    # the rules file's currency, passed with the words by whoever renders (html.py, batch.py)
    return ctx["words"].money(value, ctx["currency"])


@pass_context
def _percent(ctx: Context, value: Any) -> str:
    return ctx["words"].signed_percent(value)


@pass_context
def _rate(ctx: Context, value: Any) -> str:
    return ctx["words"].rate(value)


@pass_context
def _number(ctx: Context, value: Any, decimals: int = 0) -> str:
    return ctx["words"].number(value, decimals)


@pass_context
def _date(ctx: Context, value: Any, style: str = "medium") -> str:
    return ctx["words"].date(value, style)


def _finalize(value: Any) -> Any:
    return value if isinstance(value, Markup) else display_text(value)


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
        extensions=["jinja2.ext.i18n"],
        # every value a template prints: no control or bidirectional-override character
        # from the data reaches a plan, a roll-up or their PDFs (masking.display_text)
        finalize=_finalize,
    )
    # {% trans %} blocks: whitespace and line breaks inside collapse, as in the catalogue
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined] - read by the extension
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                       npgettext=_npgettext)
    env.filters.update(
        money=_money,
        percent=_percent,
        rate=_rate,
        number=_number,
        date=_date,
        mask_phone=mask_phone,
    )
    env.globals["label"] = _label
    return env


@cache
def read_stylesheet(name: str, templates_dir: Path = PLAN_TEMPLATES_DIR) -> str:
    """The text of a stylesheet next to the templates (``plan.css``, ``print.css``)."""
    return (templates_dir / name).read_text(encoding="utf-8")
