"""Reading a member list file (pure): encodings, separators, headers, bad lines, bounds."""

from __future__ import annotations

import codecs

import pytest

from binsite.desk.importer import MAX_BYTES, read_member_file
from binsite.errors import InvalidSite


def rows(raw: bytes) -> list[tuple[int, str, str]]:
    return [(r.line, r.address, r.name) for r in read_member_file(raw, "leden.csv").rows]


def test_excel_semicolons_in_windows_1252_with_a_dutch_header() -> None:
    raw = "E-mailadres;Naam\r\njosé@example.org;José Müller\r\nanne@example.org;Anne van 't Hof\r\n".encode("cp1252")
    # "josé" is not an address binsite accepts (non-ASCII local part): invalid, at its line.
    found = read_member_file(raw, "leden.csv")
    assert found.encoding == "windows-1252" and found.delimiter == ";" and found.header
    assert [(r.line, r.address, r.name) for r in found.rows] == [(3, "anne@example.org", "Anne van 't Hof")]
    assert [(i.line, i.text) for i in found.invalid] == [(2, "josé@example.org")]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_with_or_without_bom_and_commas(bom: bytes) -> None:
    raw = bom + "email,name\npiet@example.org,Piët Jansen\n".encode("utf-8")
    assert rows(raw) == [(2, "piet@example.org", "Piët Jansen")]


def test_utf16_as_excel_unicode_text_with_tabs() -> None:
    raw = "Naam\tE-mail\nKees\tkees@example.org\n".encode("utf-16")
    assert rows(raw) == [(2, "kees@example.org", "Kees")]


def test_outlook_export_first_and_last_name_columns() -> None:
    raw = ('"First Name","Middle Name","Last Name","E-mail Address","E-mail Type"\n'
           '"Jan","de","Vries","jan@example.org","SMTP"\n').encode("utf-8")
    assert rows(raw) == [(2, "jan@example.org", "Jan de Vries")]


def test_no_header_a_bare_list_and_names_in_another_column() -> None:
    assert rows(b"a@example.org\nB@Example.org\n\n c@example.org \n") == [
        (1, "a@example.org", ""), (2, "B@Example.org", ""), (4, "c@example.org", "")]
    assert rows(b"Jan;jan@example.org\nPiet;piet@example.org\n") == [
        (1, "jan@example.org", "Jan"), (2, "piet@example.org", "Piet")]


def test_address_book_forms_are_cleaned() -> None:
    raw = b"email\n\"Jan <jan@example.org>\"\nmailto:piet@example.org\n  kees@example.org. \n"
    assert [r[1] for r in rows(raw)] == ["jan@example.org", "piet@example.org", "kees@example.org"]


def test_hurried_typos_are_invalid_at_their_line() -> None:
    raw = b"email\njan@example,org\npiet@@example.org\nkees@example\n\nanne@example..org\nok@example.org\n"
    found = read_member_file(raw, "leden.csv")
    assert [r.line for r in found.rows] == [7]
    assert [(i.line, i.text) for i in found.invalid] == [
        (2, "jan@example,org"), (3, "piet@@example.org"), (4, "kees@example"), (6, "anne@example..org")]


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers() -> None:
    raw = b'email;note\na@example.org;"one\ntwo"\nb@example.org;x\n'
    assert [r[:2] for r in rows(raw)] == [(2, "a@example.org"), (4, "b@example.org")]


def test_control_characters_in_names_are_removed() -> None:
    raw = "email,naam\nx@example.org,\"Evil\x1b[31m\u202eName\"\n".encode("utf-8")
    assert "\x1b" not in rows(raw)[0][2] and "\u202e" not in rows(raw)[0][2]


@pytest.mark.parametrize("raw, where", [
    (b"", "leden.csv: "),
    (b"naam\nJan\nPiet\n", "leden.csv:1: "),
    (b"\x89PNG\r\n\x1a\n\0\0\0", "leden.csv: "),
    (b"x" * (MAX_BYTES + 1), "leden.csv: "),
    (b"\xef\xbb\xbfemail\n\xff\xfe@example.org\n", "leden.csv:2: "),
    (b"a@example.org\n" * 20_002, "leden.csv:20001: "),
])
def test_a_wrong_file_is_one_clear_error(raw: bytes, where: str) -> None:
    with pytest.raises(InvalidSite) as caught:
        read_member_file(raw, "leden.csv")
    text = caught.value.problems[0].format("nl")
    assert text.startswith(where) and ": fout: " in text, text
