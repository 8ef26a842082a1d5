"""Signed link tokens: forged, expired, other-purpose and mangled tokens fail."""
import secrets
import pytest

from binsite import tokens
from binsite.tokens import BadToken

# Made fresh for each run: no signing secret is written in the repository.
SECRET = secrets.token_urlsafe(32)
NOW = 1_800_000_000


def make(purpose=tokens.UNSUBSCRIBE, fields=("maaspoort.bin.example.org", "abc123"), issued=NOW):
    return tokens.sign(SECRET, purpose, fields, issued=issued)


def test_round_trip():
    token = make()
    assert tokens.verify(SECRET, token, tokens.UNSUBSCRIBE, now=NOW + 10) == (NOW, ("maaspoort.bin.example.org", "abc123"))


def test_other_purpose_same_fields_fails():
    token = make(tokens.PREFERENCES)
    with pytest.raises(BadToken):
        tokens.verify(SECRET, token, tokens.UNSUBSCRIBE, now=NOW)


def test_other_secret_fails():
    with pytest.raises(BadToken):
        tokens.verify("t" * 32, make(), tokens.UNSUBSCRIBE, now=NOW)


def test_changed_field_fails():
    import base64
    token = make()
    body, mac = token.split(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b"abc123", b"abc124")
    forged = base64.urlsafe_b64encode(payload).rstrip(b"=").decode() + "." + mac
    with pytest.raises(BadToken):
        tokens.verify(SECRET, forged, tokens.UNSUBSCRIBE, now=NOW)


def test_expired_and_future():
    with pytest.raises(BadToken):
        tokens.verify(SECRET, make(tokens.LOGIN, ("a@b.nl", "n")), tokens.LOGIN, now=NOW + 15 * 60 + 1)
    assert tokens.verify(SECRET, make(tokens.LOGIN, ("a@b.nl", "n")), tokens.LOGIN, now=NOW + 15 * 60)
    with pytest.raises(BadToken):
        tokens.verify(SECRET, make(issued=NOW + 3600), tokens.UNSUBSCRIBE, now=NOW)


@pytest.mark.parametrize("junk", ["", ".", "a.b.c", "x" * 5000, "é.é", "YWJj.", ".YWJj", "YWJj.YWJj", "%2e%2e", "a b.c", None, 17])
def test_junk_fails(junk):
    with pytest.raises(BadToken):
        tokens.verify(SECRET, junk, tokens.UNSUBSCRIBE, now=NOW)


def test_truncated_mac_fails():
    token = make()
    with pytest.raises(BadToken):
        tokens.verify(SECRET, token[:-2], tokens.UNSUBSCRIBE, now=NOW)


def test_separator_in_field_refused():
    with pytest.raises(ValueError):
        tokens.sign(SECRET, tokens.JOIN, ("x\x1fy",))


def test_short_secret_refused():
    with pytest.raises(ValueError):
        tokens.sign("short", tokens.JOIN, ("x",))


def test_link():
    assert tokens.link("https://bin.example.org/dienst/", tokens.UNSUBSCRIBE, "T.K") == "https://bin.example.org/dienst/afmelden/T.K"
