"""The gettext catalogues: ``include/locale/<language>/LC_MESSAGES/messages.po``.

Compiled to ``messages.mo`` at set-up (``make locale``: ``pybabel compile``). A process
that finds a ``.mo`` missing or older than its ``.po`` (a fresh checkout, an edited
catalogue) compiles the ``.po`` in memory instead, with the same Babel code, so a reader
never gets yesterday's wording.

Two kinds of entries (``docs/words.md``):
- the words of templates and code: the English text is the message id (``{% trans %}``,
  ``_()``, ``ngettext``), translated in each other language;
- the words for codes (tiers, reasons, channels, lifecycle rules...): the context names the
  kind, the id is the code (``pgettext("channel", "visit")``), and every language, English
  included, gives the words.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from customer_plans.settings import LOCALE_DIR

log = logging.getLogger(__name__)

DOMAIN = "messages"
# gettext's separator between a message's context and its id in a compiled catalogue
CONTEXT_SEPARATOR = "\x04"


class CatalogueError(ValueError):
    """A catalogue is missing, unreadable or incomplete; the message says which and what to do."""


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """The ``.po`` catalogue of a language, as Babel reads it."""
    path = po_path(language, locale_dir)
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=None, domain=DOMAIN)
    except FileNotFoundError:
        raise CatalogueError(
            f"language {language}: its catalogue {path} does not exist. Every language in "
            "include/config/languages.yaml needs one: create it with `pybabel init -i "
            f"include/locale/{DOMAIN}.pot -d include/locale -l {language}` and translate it."
        ) from None
    except Exception as exc:  # Babel raises plain errors with the line
        raise CatalogueError(f"language {language}: its catalogue {path} cannot be read: "
                             f"{exc}") from None


@cache
def translations(language: str, locale_dir: Path = LOCALE_DIR) -> gettext.GNUTranslations:
    """The compiled catalogue of a language (from the ``.mo``, or the ``.po`` when newer)."""
    po = po_path(language, locale_dir)
    mo = po.with_suffix(".mo")
    if mo.exists() and po.exists() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    catalog = read_catalog(language, locale_dir)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    log.info("catalogue %s compiled in memory (%s is missing or older than the .po)",
             language, mo.name)
    return gettext.GNUTranslations(buffer)


def entry(language: str, context: str | None, message: str,
          locale_dir: Path = LOCALE_DIR) -> str | None:
    """The translated text of one entry, or None when the catalogue lacks it."""
    key = message if context is None else f"{context}{CONTEXT_SEPARATOR}{message}"
    text = translations(language, locale_dir)._catalog.get(key)  # noqa: SLF001 - gettext's table
    return text if isinstance(text, str) and text else None
