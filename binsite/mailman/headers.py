"""Mail header values as Mailman hands them over (standard library only:
the desk's references use this without loading the Mailman client)."""

from __future__ import annotations


def unfold(value: str) -> str:
    """A header value as one line: Mailman may fold long Message-IDs."""
    return " ".join(str(value).split())
