"""The configured languages (``include/config/languages.yaml``) and a reader's choice of one.

A reader's ``locale`` on the roster (``zh_CN``, ``en``, ``zh-HK``, or nothing) picks the
language whose code or ``matches`` it names, case and ``-``/``_`` aside; anything else
reads the ``default`` language. Adding a language is an entry here, its catalogue and its
print font; no code names a language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

from customer_plans.settings import LANGUAGES_PATH

AMOUNT_STYLES = ("code", "myriad")
DATE_STYLES = ("long", "medium", "short")


class LanguagesError(ValueError):
    """The languages file is unusable; the message names the file, the language and the key."""


@dataclass(frozen=True)
class PrintFont:
    family: str  # the subset's family name ("Plan Sans SC")
    source: str  # the system family it is cut from ("Noto Sans CJK SC")
    charset: str  # the national character set it covers beyond Latin (gb2312, big5)


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue's folder name: en, zh_CN, zh_Hant_HK
    babel_locale: Locale
    html_lang: str
    matches: tuple[str, ...]
    dates: dict[str, str]
    amounts: str
    print_font: PrintFont

    @property
    def is_chinese(self) -> bool:
        return self.babel_locale.language == "zh"


@dataclass(frozen=True)
class Languages:
    default: str
    by_code: dict[str, Language]
    source_path: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.by_code)

    def find(self, locale: str | None) -> Language | None:
        """The language this roster ``locale`` names, or None."""
        key = _normal(locale)
        if key:
            for language in self.by_code.values():
                if key == _normal(language.code) or key in language.matches:
                    return language
        return None

    def choose(self, locale: str | None) -> Language:
        """The language a reader with this roster ``locale`` reads (else the default)."""
        return self.find(locale) or self.by_code[self.default]

    def accepted_locales(self) -> tuple[str, ...]:
        """Every roster ``locale`` value that names a language (for the quality gate)."""
        values = []
        for language in self.by_code.values():
            values.append(language.code)
            values.extend(language.matches)
        return tuple(dict.fromkeys(values))


def _normal(locale: object) -> str:
    return str(locale or "").strip().replace("-", "_").lower()


def _fail(path: Path, where: str, problem: str) -> LanguagesError:
    return LanguagesError(f"languages file {path}: {where} {problem}. Fix the file and rerun.")


def load_languages(path: Path | str | None = None) -> Languages:
    """Load and check the languages file (the shipped one by default)."""
    path = Path(path) if path is not None else LANGUAGES_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LanguagesError(f"languages file {path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("languages"), dict) \
            or not data["languages"]:
        raise _fail(path, "the file", "must map `languages` to at least one language")
    by_code: dict[str, Language] = {}
    for code, entry in data["languages"].items():
        where = f"languages.{code}"
        if not isinstance(entry, dict):
            raise _fail(path, where, "must be a mapping")
        try:
            babel_locale = Locale.parse(str(entry.get("babel_locale", code)))
        except (UnknownLocaleError, ValueError) as exc:
            raise _fail(path, f"{where}.babel_locale", f"is not a CLDR locale ({exc})") from None
        dates = entry.get("dates") or {}
        if not isinstance(dates, dict) or set(dates) != set(DATE_STYLES):
            raise _fail(path, f"{where}.dates", f"must give exactly {list(DATE_STYLES)}")
        amounts = entry.get("amounts")
        if amounts not in AMOUNT_STYLES:
            raise _fail(path, f"{where}.amounts", f"must be one of {list(AMOUNT_STYLES)}")
        font = entry.get("print_font") or {}
        if not isinstance(font, dict) or not {"family", "source", "charset"} <= set(font):
            raise _fail(path, f"{where}.print_font", "must give family, source and charset")
        html_lang = entry.get("html_lang")
        if not isinstance(html_lang, str) or not html_lang:
            raise _fail(path, f"{where}.html_lang", "must be a BCP 47 tag such as zh-CN")
        by_code[str(code)] = Language(
            code=str(code), babel_locale=babel_locale, html_lang=html_lang,
            matches=tuple(_normal(m) for m in entry.get("matches") or ()),
            dates={k: str(v) for k, v in dates.items()}, amounts=amounts,
            print_font=PrintFont(str(font["family"]), str(font["source"]),
                                 str(font["charset"]).lower()),
        )
    default = str(data.get("default", ""))
    if default not in by_code:
        raise _fail(path, "default", f"must be one of the languages {list(by_code)}")
    return Languages(default, by_code, str(path))


@cache
def shipped_languages() -> Languages:
    return load_languages()
