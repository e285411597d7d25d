"""The start-up check: every word a run may need exists in every configured language.

Run before a run extracts anything (the first task of the nightly DAG and
``customer-plans run``), and by ``customer-plans check-words``. It fails with one paragraph
naming the language, the kind and the code (or the message) that lacks words, and what to do:
- every configured language has a readable catalogue;
- every message of the templates and code (the English catalogue's ids) is translated in
  every other language, not fuzzy, with the same placeholders;
- every code of ``words.codes`` has words in every language, and languages whose amounts
  count in 万 have the unit words;
- the reasons' and the segments' words (``words.reasons``, ``words.segments``) pass their
  own checks: every code the rules can emit, the facts their sentences may cite, and no
  forbidden phrase anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog

from customer_plans.rules import Rules
from customer_plans.settings import LOCALE_DIR
from customer_plans.words.catalog import CatalogueError, read_catalog
from customer_plans.words.codes import AMOUNT_UNIT, OPEN_KINDS, amount_units, code_kinds
from customer_plans.words.languages import Languages, shipped_languages

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _strings(message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return [s for s in message.string]
    return [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def catalogue_problems(languages: Languages, rules: Rules,
                       locale_dir: Path = LOCALE_DIR, bank_locale: str | None = None) -> list[str]:
    """Every problem found, one sentence each (empty: the catalogues are complete)."""
    problems: list[str] = []
    if bank_locale is not None and languages.find(bank_locale) is None:
        problems.append(f"the bank's language CUSTOMER_PLANS_LOCALE={bank_locale!r} is none of "
                        f"the configured languages {', '.join(languages.codes)} "
                        f"({languages.source_path})")
    catalogs: dict[str, Catalog] = {}
    for code in languages.codes:
        try:
            catalogs[code] = read_catalog(code, locale_dir)
        except CatalogueError as exc:
            problems.append(str(exc))
    if problems:
        return problems
    source = catalogs[languages.default]
    kinds = code_kinds(rules)
    code_contexts = set(kinds) | {AMOUNT_UNIT}
    for code, catalog in catalogs.items():
        where = f"include/locale/{code}/LC_MESSAGES/messages.po"
        if code != languages.default:
            for message in source:
                if not message.id or message.context in code_contexts or \
                        _is_code_context(message.context):
                    continue
                theirs = catalog.get(message.id, message.context)
                label = _name(message)
                if theirs is None or not all(_strings(theirs)) or theirs.fuzzy:
                    problems.append(f"language {code}: the message {label} has no "
                                    f"{'final ' if theirs is not None and theirs.fuzzy else ''}"
                                    f"translation in {where}")
                    continue
                wanted = set().union(*(_placeholders(i) for i in _ids(message)))
                for text in _strings(theirs):
                    if not _placeholders(text) <= wanted:
                        problems.append(
                            f"language {code}: the message {label} uses "
                            f"{sorted(_placeholders(text) - wanted)}, which its English text "
                            f"does not have ({where})")
        for kind, codes in kinds.items():
            for one in codes:
                found = catalog.get(str(one), kind)
                if (found is None or not all(_strings(found)) or found.fuzzy) \
                        and kind not in OPEN_KINDS:
                    problems.append(f'language {code}: no words for the {kind} code "{one}" '
                                    f'(add msgctxt "{kind}" msgid "{one}" to {where})')
        # conduct: no words of any kind, in any language, promise returns (the rules'
        # assignment.forbidden_phrases), wherever a plan, a mail or explain may print them
        for message in catalog:
            for text in (_strings(message) if message.id else ()):
                lowered = (text or "").lower()
                for phrase in rules.assignment.forbidden_phrases:
                    if phrase.lower() in lowered:
                        problems.append(
                            f"language {code}: the message {_name(message)} says "
                            f'"{phrase}", which the rules forbid (assignment.forbidden_phrases; '
                            f"{where})")
        if languages.by_code[code].amounts == "myriad":
            for one in amount_units(rules):
                if catalog.get(one, AMOUNT_UNIT) is None:
                    problems.append(f'language {code}: its amounts count in 万 but it has no '
                                    f'words for "{one}" (msgctxt "{AMOUNT_UNIT}" in {where})')
    from customer_plans.words.reasons import check_reason_words
    from customer_plans.words.segments import check_segment_words

    for check in (check_reason_words, check_segment_words):
        problems.extend(check(languages, rules))
    return problems


def _is_code_context(context: str | None) -> bool:
    """Contexts of code kinds checked by their own modules (reasons, lifecycle, signals...)."""
    return context is not None and context in CODE_CONTEXTS_CHECKED_ELSEWHERE


CODE_CONTEXTS_CHECKED_ELSEWHERE = frozenset({
    "reason label", "reason know", "reason say", "clause", "fact", "lifecycle rule",
    "churn signal", "complaint category",
})


def _name(message) -> str:
    text = _ids(message)[0]
    short = text if len(text) <= 60 else text[:57] + "..."
    return f'"{short}"' + (f' (context "{message.context}")' if message.context else "")


def check_words(rules: Rules, languages: Languages | None = None,
                locale_dir: Path = LOCALE_DIR, bank_locale: str | None = None) -> None:
    """Raise ``CatalogueError`` with every problem when a word a run may need is missing."""
    languages = languages or shipped_languages()
    problems = catalogue_problems(languages, rules, locale_dir, bank_locale)
    if problems:
        shown = problems[:12]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise CatalogueError(
            f"The message catalogues lack words the plans need: {'; '.join(shown)}{more}. "
            "Add the entries (pybabel: `make extract-messages`, then translate each language's "
            "messages.po) and rerun; nothing was extracted or sent.")


def check_words_once(rules: Rules, bank_locale: str | None = None) -> None:
    """``check_words``, once per process for the same rules, bank language and catalogues."""
    rules_hash = (rules.content_hash, bank_locale)
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns)
                         for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")))
    if (rules_hash, stamp) in _CHECKED:
        return
    check_words(rules, bank_locale=bank_locale)
    _CHECKED.add((rules_hash, stamp))


_CHECKED: set[tuple[tuple, tuple]] = set()
