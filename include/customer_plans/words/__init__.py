"""Every word a reader sees: the message catalogue, the reader's language and its formats.

Stages before render decide in codes and typed facts (amounts, dates, percentages, counts,
ids); render, deliver and ``explain`` turn them into words here, in the reader's language:

    words = words_for(manager.locale)
    words.gettext("Whom to contact today")
    words.label("channel", "visit")                  # the words for a code
    words.sentence("reason say", "maturity_due", product=..., amount=...)
    words.money(305000, "CNY")                        # "30.5万元" / "CNY 305,000"

Templates get the same through the Jinja2 i18n extension (``{% trans %}``, ``_()``,
``ngettext``) and the filters of ``render.environment``, which read ``words`` from the
template's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from customer_plans.words import format as fmt
from customer_plans.words.catalog import CatalogueError, entry, translations
from customer_plans.words.languages import Language, Languages, shipped_languages

__all__ = ["CatalogueError", "Language", "Words", "language_of", "words_for", "words_in"]


class MissingMessage(CatalogueError):
    """A code has no words in a language (the start-up check should have caught it)."""


def _fill(text: str, values: dict[str, Any]) -> str:
    return text % values if values else text


@dataclass(frozen=True)
class Words:
    """One reader's language: its catalogue and its formats."""

    language: Language

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def html_lang(self) -> str:
        return self.language.html_lang

    # ----------------------------------------------------------------- messages
    def gettext(self, message: str, **values: Any) -> str:
        return _fill(translations(self.code).gettext(message), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        values.setdefault("num", n)
        return _fill(translations(self.code).ngettext(singular, plural, n), values)

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        return _fill(translations(self.code).pgettext(context, message), values)

    def has(self, kind: str, code: object) -> bool:
        return entry(self.code, kind, str(code)) is not None

    def label(self, kind: str, code: object, **values: Any) -> str:
        """The words for a code of a kind (``label("tier", "gold")``); a code the catalogue
        lacks raises, naming the kind, the code and the language."""
        text = entry(self.code, kind, str(code))
        if text is None:
            raise MissingMessage(
                f"the {self.code} catalogue has no words for {kind} {code!r}: add the entry "
                f'(msgctxt "{kind}", msgid "{code}") to include/locale/{self.code}/LC_MESSAGES/'
                "messages.po")
        return _fill(text, values)

    def label_or(self, kind: str, code: object, fallback: str, **values: Any) -> str:
        """The words for a code when the catalogue has them, else ``fallback`` (for values a
        bank's data may hold beyond the known codes, such as a new complaint category)."""
        text = entry(self.code, kind, str(code))
        return fallback if text is None else _fill(text, values)

    sentence = label

    def join(self, items: list[str]) -> str:
        """Items of a list in a sentence ("a; b" / "a；b")."""
        return self.pgettext("separator", "; ").join(items)

    # ----------------------------------------------------------------- formats
    def _unit(self, context: str, message: str) -> str | None:
        return entry(self.code, context, message)

    def money(self, value: Any, currency: str) -> str:
        return _formatted(self.code, "money", value, currency)

    def signed_percent(self, value: Any, decimals: int = 1) -> str:
        return _formatted(self.code, "signed_percent", value, decimals)

    def percent(self, value: Any, decimals: int = 2) -> str:
        return fmt.percent(value, self.language, decimals)

    def rate(self, value: Any) -> str:
        return fmt.rate(value, self.language)

    def number(self, value: Any, decimals: int = 0) -> str:
        return _formatted(self.code, "number", value, decimals)

    def date(self, value: Any, style: str = "medium") -> str:
        return _formatted(self.code, "date", value, style)


def _format(code: str, kind: str, value: Any, option: Any) -> str:
    words = words_in(code)
    if kind == "money":
        return fmt.money(value, words.language, option, words._unit)  # noqa: SLF001
    if kind == "signed_percent":
        return fmt.signed_percent(value, words.language, option)
    if kind == "number":
        return fmt.number(value, words.language, option)
    return fmt.day(value, words.language, option)


# Babel formats a number in tens of microseconds, and a plan prints the same days, scores and
# amounts many times over: each is formatted once per process and language
_format_cached = lru_cache(maxsize=1 << 16)(_format)


def _formatted(code: str, kind: str, value: Any, option: Any) -> str:
    try:
        return _format_cached(code, kind, value, option)
    except TypeError:  # a value that cannot be a cache key is formatted as it is
        return _format(code, kind, value, option)


@cache
def words_in(code: str) -> Words:
    """The words of a configured language by its code (``en``, ``zh_CN``)."""
    languages = shipped_languages()
    if code not in languages.by_code:
        raise CatalogueError(f"no language {code!r} in {languages.source_path} "
                             f"(configured: {', '.join(languages.codes)})")
    return Words(languages.by_code[code])


def words_for(locale: str | None, languages: Languages | None = None) -> Words:
    """The words of the reader whose roster ``locale`` this is."""
    return words_in((languages or shipped_languages()).choose(locale).code)


def language_of(locale: str | None) -> str:
    """The language code a roster ``locale`` reads (``zh_CN`` for ``zh-cn``, else default)."""
    return shipped_languages().choose(locale).code
