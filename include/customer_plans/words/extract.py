"""A ``pybabel extract`` method for the words of codes: every code kind of the rules file.

Templates and code are extracted by Babel's own Jinja2 and Python methods (``babel.cfg``);
codes are not literals in the code (they come from the rules and the stages' vocabularies),
so this method lists them, with their kind as the message context, from the rules file it
is given and the registries of ``words.codes``, ``words.reasons`` and ``words.segments``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from customer_plans.rules import load_rules
from customer_plans.words.codes import AMOUNT_UNIT, amount_units, code_kinds


def catalogue_codes(rules) -> dict[str, tuple[str, ...]]:
    """Every ``{kind: codes}`` the catalogue holds words for."""
    from customer_plans.words import reasons, segments

    kinds = dict(code_kinds(rules))
    kinds[AMOUNT_UNIT] = (*amount_units(rules), rules.currency)
    for module in (reasons, segments):
        for kind, codes in module.catalogue_codes(rules).items():
            kinds[kind] = tuple(dict.fromkeys((*kinds.get(kind, ()), *codes)))
    return kinds


def extract_codes(fileobj, keywords, comment_tags, options: dict[str, Any]
                  ) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel's extraction interface: ``(line, function, (context, id), comments)``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_bytes(fileobj.read())
        rules = load_rules(path)
    for kind, codes in catalogue_codes(rules).items():
        for code in codes:
            yield 0, "pgettext", (kind, str(code)), [f"the words for the {kind} code {code}"]
