"""The self-contained validation report: JSON-safe results, HTML from Jinja2, PDF.

The HTML has its CSS inline and no scripts, fonts or images from anywhere: it opens on a
bank's closed network. The PDF is WeasyPrint on the same HTML, with a URL fetcher that
refuses everything but the project's own template files.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from customer_plans.settings import TEMPLATES_DIR

QUALITY_TEMPLATES_DIR = TEMPLATES_DIR / "quality"
SCHEMA_RULES = ("column_present", "column_type")


def json_safe(value: Any) -> Any:
    """``value`` with numpy/pandas scalars, dates and NaN turned into plain JSON values."""
    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(item) for item in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def format_count(value: Any) -> str:
    """``12345`` -> ``12,345``; missing -> an en dash."""
    if value is None or value == "":
        return "–"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def format_percent(value: Any) -> str:
    """``12.345`` -> ``12.3%``; missing -> an en dash."""
    if value is None:
        return "–"
    try:
        return f"{float(value):.1f}%"
    except (TypeError, ValueError):
        return str(value)


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(QUALITY_TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["count"] = format_count
    environment.filters["percent"] = format_percent
    return environment


def render_report_html(results: dict[str, Any]) -> str:
    """The report page for one business date, from its results (as written to results.json)."""
    checks = results.get("checks", [])
    tables = []
    for name, rows in results.get("counts", {}).items():
        table_checks = [check for check in checks if check["table"] == name]
        passed = [check for check in table_checks if check["status"] == "passed"]
        tables.append({
            "name": name,
            "rows": rows,
            "previous": (results.get("previous_counts") or {}).get(name),
            "passed": len(passed),
            "failed": sum(check["status"] in ("failed", "error") for check in table_checks),
            "skipped": sum(check["status"] == "skipped" for check in table_checks),
            # passed checks as one compact line per table; the rest one row each
            "passed_labels": _passed_labels(passed),
            "other_checks": [check for check in table_checks if check["status"] != "passed"],
        })
    return _environment().get_template("report.html.j2").render(
        results=results, tables=tables,
    )


def _passed_labels(checks: list[dict[str, Any]]) -> list[str]:
    """``rule(column, column, ...)`` per rule, in check order."""
    by_rule: dict[str, list[str]] = {}
    for check in checks:
        columns = by_rule.setdefault(check["rule"], [])
        if check.get("column") and check["column"] not in columns:
            columns.append(check["column"])
    return [f"{rule}({', '.join(columns)})" if columns else rule
            for rule, columns in by_rule.items()]


def _local_only_fetcher():
    """A WeasyPrint URL fetcher that serves only files under ``include/templates``."""
    from weasyprint.urls import URLFetcher

    root = QUALITY_TEMPLATES_DIR.parent.resolve()

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("file://"):
                raise ValueError(f"the quality report may not fetch {url.split(':', 1)[0]} URLs")
            path = Path(url.removeprefix("file://").split("?", 1)[0]).resolve()
            if not path.is_relative_to(root):
                raise ValueError(f"the quality report may only read project templates, not {path}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file",))


def write_report_pdf(html: str) -> bytes:
    """The PDF of the report HTML (A4, print styles in the template's CSS)."""
    import weasyprint

    document = weasyprint.HTML(
        string=html, base_url=str(QUALITY_TEMPLATES_DIR), url_fetcher=_local_only_fetcher(),
    )
    return document.write_pdf()
