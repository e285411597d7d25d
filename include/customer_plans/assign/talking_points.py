"""Talking-point templates (``include/config/talking_points.yaml``): loaded, checked, filled.

Each reason has a label, a one-line reason and a talking point, in English and Chinese.
Placeholders are facts of the reason, formatted per language by the candidate builders;
a template naming a fact its reason does not have is an error at load time, not a blank in a
manager's plan. Filling is column-wise: one Arrow concatenation per template.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from customer_plans.assign.text import join
from customer_plans.rules import ASSIGNMENT_REASON_CODES
from customer_plans.settings import DEFAULT_TALKING_POINTS_PATH  # Settings.talking_points_path

LANGUAGES = ("en", "zh")
PARTS = ("label", "reason", "talk")

# the facts each reason's templates may use (the candidate builders provide exactly these)
FACTS: dict[str, tuple[str, ...]] = {
    "service_recovery": ("category", "opened_date"),
    "maturity_due": ("product", "amount", "due", "rate_clause", "days"),
    "maturity_upcoming": ("product", "amount", "due", "rate_clause", "days"),
    "retention_top_tier": ("tier", "signals", "churn_score"),
    "retention": ("tier", "signals", "churn_score"),
    "carried_over": ("from_date", "previous_status", "previous_reasons"),
    "cadence_overdue_top_tier": ("tier", "last_contact", "cadence_days"),
    "tier_downgrade": ("from_tier", "to_tier"),
    "tier_upgrade": ("from_tier", "to_tier"),
    "cadence_overdue": ("tier", "last_contact", "cadence_days"),
    "birthday": ("birthday", "ahead_note"),
    "holiday": ("holiday", "holiday_date", "ahead_note"),
    "idle_balance": ("amount",),
    "new_customer_follow_up": ("day",),
    "post_sale_follow_up": ("purchase_date", "days"),
}

# facts for the manager's eyes only: what the bank's monitoring saw (transfers out, balance
# trends, complaints), scores and risk levels, and earlier reasons (which may hold them). A
# reason line may state them; a talking point is what the manager says to the customer, and
# never cites them
INTERNAL_FACTS = frozenset({"signals", "churn_score", "previous_reasons"})

# the facts each clause may use
CLAUSE_FACTS: dict[str, tuple[str, ...]] = {
    "rate": ("rate",),
    "matures": ("maturity_date",),
    "matured": ("maturity_date",),
    "greeting_ahead": (),
    "days_ago": ("days",),
    "never_reached": (),
    "list_separator": (),
}


class TalkingPointsError(ValueError):
    """The talking-points file is unusable; the message names the file and the key."""


@dataclass(frozen=True)
class TalkingPoints:
    """The loaded templates: ``reasons[code][part][lang]``, ``clauses[name][lang]``,
    ``labels[kind][code][lang]``."""

    reasons: dict[str, dict[str, dict[str, str]]]
    clauses: dict[str, dict[str, str]]
    labels: dict[str, dict[str, dict[str, str]]]
    quote_rate_for: tuple[str, ...]
    source_path: str

    def label_table(self, kind: str, lang: str) -> dict[str, str]:
        """``{code: label}`` for one kind of label (``product_kind``, ...) in ``lang``."""
        return {code: texts[lang] for code, texts in self.labels.get(kind, {}).items()}

    def reason_labels(self, lang: str) -> dict[str, str]:
        return {code: parts["label"][lang] for code, parts in self.reasons.items()}

    def all_texts(self) -> list[tuple[str, str]]:
        """Every text in the file as ``(key path, text)``, for compliance scans."""
        texts = [(f"reasons.{c}.{p}.{lang}", t) for c, parts in self.reasons.items()
                 for p, by_lang in parts.items() for lang, t in by_lang.items()]
        texts += [(f"clauses.{n}.{lang}", t) for n, by_lang in self.clauses.items()
                  for lang, t in by_lang.items()]
        texts += [(f"labels.{k}.{c}.{lang}", t) for k, table in self.labels.items()
                  for c, by_lang in table.items() for lang, t in by_lang.items()]
        return texts


def placeholders(template: str) -> list[str]:
    """The field names of a template, in order; rejects format specs and positional fields."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must be a plain name like {{amount}}")
        names.append(name)
    return names


def _check_template(where: str, template: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(template, str) or not template.strip():
        raise TalkingPointsError(f"{where} must be a non-empty text")
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise TalkingPointsError(f"{where}: {exc}") from None
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise TalkingPointsError(
            f"{where} uses {unknown}, which this reason does not have (allowed: {list(allowed)})"
        )
    return template


def _by_lang(where: str, value: object, allowed: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise TalkingPointsError(f"{where} must give exactly {list(LANGUAGES)}")
    return {lang: _check_template(f"{where}.{lang}", value[lang], allowed) for lang in LANGUAGES}


def load_talking_points(path: Path | str | None = None) -> TalkingPoints:
    """Load and check the talking-point templates (the shipped file by default)."""
    path = Path(path) if path is not None else DEFAULT_TALKING_POINTS_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TalkingPointsError(f"talking points file {path} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise TalkingPointsError(f"talking points file {path} must hold a mapping")
    where = f"talking points file {path}:"
    raw_reasons = data.get("reasons") or {}
    missing = [code for code in ASSIGNMENT_REASON_CODES if code not in raw_reasons]
    unknown = sorted(set(raw_reasons) - set(ASSIGNMENT_REASON_CODES))
    if missing or unknown:
        raise TalkingPointsError(f"{where} reasons missing {missing}, unknown {unknown}")
    reasons = {}
    for code in ASSIGNMENT_REASON_CODES:
        parts = raw_reasons[code]
        if not isinstance(parts, dict) or set(parts) != set(PARTS):
            raise TalkingPointsError(f"{where} reasons.{code} must give exactly {list(PARTS)}")
        reasons[code] = {
            part: _by_lang(f"{where} reasons.{code}.{part}", parts[part],
                           () if part == "label" else FACTS[code])
            for part in PARTS
        }
        for lang, template in reasons[code]["talk"].items():
            internal = sorted(set(placeholders(template)) & INTERNAL_FACTS)
            if internal:
                raise TalkingPointsError(
                    f"{where} reasons.{code}.talk.{lang} uses {internal}: what the bank's "
                    "monitoring saw, scores and risk levels are for the manager (the reason "
                    "line), never for what is said to the customer")
    raw_clauses = data.get("clauses") or {}
    missing = [name for name in CLAUSE_FACTS if name not in raw_clauses]
    if missing:
        raise TalkingPointsError(f"{where} clauses missing {missing}")
    clauses = {name: _by_lang(f"{where} clauses.{name}", raw_clauses[name], allowed)
               for name, allowed in CLAUSE_FACTS.items()}
    labels = {}
    for kind, table in (data.get("labels") or {}).items():
        if not isinstance(table, dict):
            raise TalkingPointsError(f"{where} labels.{kind} must be a mapping of codes")
        labels[kind] = {code: _by_lang(f"{where} labels.{kind}.{code}", texts, ())
                        for code, texts in table.items()}
    quote_rate_for = data.get("quote_rate_for") or []
    if not isinstance(quote_rate_for, list) or not all(isinstance(k, str) for k in quote_rate_for):
        raise TalkingPointsError(f"{where} quote_rate_for must be a list of product kinds")
    return TalkingPoints(reasons, clauses, labels, tuple(quote_rate_for), str(path))


@cache
def shipped_talking_points() -> TalkingPoints:
    """The shipped templates, loaded once per process."""
    return load_talking_points()


def fill(template: str, facts: dict[str, pa.Array], length: int) -> pa.Array:
    """The template with each ``{name}`` replaced by that fact's text, row by row."""
    pieces: list[pa.Array | str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(facts[name])
    return join(pieces, length)
