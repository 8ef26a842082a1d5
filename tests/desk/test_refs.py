"""References: stable, tied to list and Message-ID, short but unique in a listing."""

from __future__ import annotations

import pytest

from binsite.desk.refs import message_digest, normalize, request_digest, resolve, shorten
from binsite.errors import BinsiteError

LIST = "noord@bin.example.org"
MID = "<CAF+abc.123@mail.example.org>"


def test_a_reference_depends_on_list_and_message_id_only():
    assert message_digest(LIST, MID) == message_digest(LIST.upper(), MID)
    assert message_digest(LIST, MID) != message_digest("noord-partners@bin.example.org", MID)
    assert message_digest(LIST, MID) != message_digest(LIST, "<other@mail.example.org>")
    # Held messages and subscription requests never share a reference.
    assert message_digest(LIST, MID) != request_digest(LIST, MID)


def test_a_folded_message_id_gives_the_same_reference():
    # However Mailman folds a long Message-ID, the unfolded form is the same.
    long_id = "<" + "x" * 70 + "@res.example.org>"
    for folded in (long_id[:40] + "\n " + long_id[40:], long_id[:40] + "\r\n\t" + long_id[40:], long_id[:40] + " " + long_id[40:]):
        assert message_digest(LIST, folded) == message_digest(LIST, long_id[:40] + " " + long_id[40:])
    assert message_digest(LIST, "<a@b>\r\n") == message_digest(LIST, " <a@b>")


def test_digests_are_base32_and_references_are_six_characters():
    digest = message_digest(LIST, MID)
    assert len(digest) == 52 and set(digest) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert shorten([digest]) == {digest: digest[:6]}


@pytest.mark.parametrize("digests, expected", [
    (["AAAAAAAX", "BBBBBBBY"], {"AAAAAAAX": "AAAAAA", "BBBBBBBY": "BBBBBB"}),
    (["AAAAAAAX", "AAAAAAAY", "BBBBBBBB"], {"AAAAAAAX": "AAAAAAAX", "AAAAAAAY": "AAAAAAAY", "BBBBBBBB": "BBBBBB"}),
    (["AAAAAAXQ", "AAAAAAYQ", "AAAAAAYR"], {"AAAAAAXQ": "AAAAAAX", "AAAAAAYQ": "AAAAAAYQ", "AAAAAAYR": "AAAAAAYR"}),
])
def test_references_grow_only_where_two_would_clash(digests, expected):
    assert shorten(digests) == expected


def test_resolve_accepts_any_prefix_of_six_or_more_in_any_case():
    digest = message_digest(LIST, MID)
    candidates = {digest: "the message", message_digest(LIST, "<other@x>"): "another"}
    assert resolve(digest[:6].lower(), candidates) == "the message"
    assert resolve(f"  {digest[:9]} ", candidates) == "the message"
    assert resolve("AAAAAAA" if not digest.startswith("AAAAAAA") else "BBBBBBB", candidates) is None


def test_an_ambiguous_reference_asks_for_more_characters():
    with pytest.raises(BinsiteError, match="more characters"):
        resolve("AAAAAA", {"AAAAAAX": 1, "AAAAAAY": 2})


@pytest.mark.parametrize("typed", ["", "abc", "K3F9Q!", "K3F 9QA", "12345678", "K3F9Q0"])
def test_something_that_cannot_be_a_reference_is_a_clear_error(typed):
    with pytest.raises(BinsiteError, match="reference"):
        normalize(typed)
