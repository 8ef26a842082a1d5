"""The AVG (GDPR) in the product: what binsite and its Mailman hold about one
address (``holdings.find``: art. 15), erasing it everywhere (``erase.erase``:
art. 17), and keeping records no longer than ``retention:`` says
(``retention.tidy``, run by ``binsite avg opruimen`` and every ``binsite send``).

Addresses are compared as Mailman compares them: the whole address in lower
case, nothing else folded (``jan+bin@`` is not ``jan@``). Mailman accepts
only the ASCII (``xn--``) form of an internationalised domain, so a domain
given in Unicode is looked up in that form. The CLI is ``binsite/cli/avg.py``.
"""

from __future__ import annotations

from binsite.errors import BinsiteError
from binsite.i18n import t


def normalise(address: str) -> str:
    """``address`` the way Mailman looks it up (whole address lower case); a clear error when
    it is no address at all."""
    cleaned = address.strip()
    local, at, domain = cleaned.rpartition("@")
    if not at or not local or not domain or any(c in cleaned for c in "\r\n\t<>,") or " " in domain:
        raise BinsiteError(t("{a!r} is geen e-mailadres; geef het hele adres, zoals jan@example.org",
                             "{a!r} is not an e-mail address; give the whole address, such as jan@example.org",
                             a=address))
    if not domain.isascii():
        try:
            domain = domain.lower().encode("idna").decode("ascii")
        except UnicodeError:
            raise BinsiteError(t("{a!r}: het domein {d!r} is geen geldige domeinnaam",
                                 "{a!r}: the domain {d!r} is not a valid domain name", a=address, d=domain)) from None
    return f"{local}@{domain}".lower()
