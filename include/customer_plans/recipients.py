"""Who may receive a plan or a roll-up, and text that is safe in a mail header.

One check, used twice: by the data-quality gate (a bad or off-domain address is a warning
that names the manager or branch) and again by delivery right before a message is built
(nothing reaches a mail server that the gate would not pass, whatever path led there).

Addresses are checked with ``email-validator`` (syntax per RFC 5321/5322, no whitespace, no
control or bidirectional characters, no quoted local parts; no DNS lookup:
the bank's own mail servers decide deliverability), then against the configured allow-list
of the bank's mail domains. Names and subjects go through :func:`header_text`: one line,
no control or formatting characters, so no field can start a header of its own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

# why an address cannot be used (stable codes: ledger, counts, findings)
MISSING = "missing"
NOT_AN_ADDRESS = "not_an_address"
DOMAIN_NOT_ALLOWED = "domain_not_allowed"

PROBLEM_WORDS = {
    MISSING: "no email address on record",
    NOT_AN_ADDRESS: "the email on record is not a single valid address",
    DOMAIN_NOT_ALLOWED: "the email on record is outside the bank's mail domains",
}

# the longest display name or subject part kept (header lines stay readable)
MAX_HEADER_TEXT = 200


@dataclass(frozen=True)
class AddressCheck:
    """The outcome of checking one recipient address."""

    address: str | None  # the normalised address when usable
    problem: str | None = None  # MISSING, NOT_AN_ADDRESS or DOMAIN_NOT_ALLOWED

    @property
    def usable(self) -> bool:
        return self.problem is None


def domain_allowed(domain: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """``domain`` is one of ``allowed``, or a subdomain of an entry written ``.example.com``."""
    domain = domain.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().strip()
        if entry.startswith("."):
            if domain == entry[1:] or domain.endswith(entry):
                return True
        elif domain == entry:
            return True
    return False


def check_address(value: object, allowed_domains: tuple[str, ...] | list[str]) -> AddressCheck:
    """Whether ``value`` is one address the bank may mail a document to."""
    if value is None or not isinstance(value, str) or not value.strip():
        return AddressCheck(None, MISSING)
    try:
        checked = validate_email(
            value.strip(), check_deliverability=False, allow_smtputf8=False,
            allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False,
            # a domain with no public TLD (mail.corp) is fine: the allow-list decides. The
            # reserved names (localhost, .local, .test, .invalid) stay refused.
            globally_deliverable=False,
        )
    except EmailNotValidError:
        return AddressCheck(None, NOT_AN_ADDRESS)
    # the stripped value only: surrounding spaces are harmless, anything inside is not
    if checked.normalized != value.strip() and checked.normalized.lower() != value.strip().lower():
        return AddressCheck(None, NOT_AN_ADDRESS)
    if not (domain_allowed(checked.domain, allowed_domains)
            or domain_allowed(checked.ascii_domain, allowed_domains)):
        return AddressCheck(None, DOMAIN_NOT_ALLOWED)
    # the ASCII form (an internationalised domain in IDNA): what an SMTP envelope can carry
    return AddressCheck(checked.ascii_email or checked.normalized)


def header_text(value: object, fallback: str = "") -> str:
    """``value`` as one line of plain text for a header: control, format (bidirectional
    overrides, zero-width) and line-separator characters become spaces, runs of whitespace
    one space, and the result is cut to ``MAX_HEADER_TEXT`` characters."""
    if value is None or (isinstance(value, float) and value != value):
        return fallback
    text = "".join(
        " " if unicodedata.category(ch)[0] in "CZ" and ch != " " or ch.isspace() else ch
        for ch in str(value)
    )
    text = " ".join(text.split())[:MAX_HEADER_TEXT].strip()
    return text or fallback
