"""The privacy guard: what it finds, what it leaves alone, and where it points."""

from __future__ import annotations

import dataclasses

import pytest

from binsite.source.config import SiteConfig
from binsite.source.content import Parsed, Source, parse_bulletin
from binsite.errors import Severity
from binsite.render.markup import render_body
from binsite.privacy import KINDS, SIDECODES, Finding, bsn_valid, check_bulletin, iban_valid, scan

from tests.privacy_cases import ALLOWED_ADDRESSES, ALLOWED_DOMAINS, FOUND, NOT_FOUND

CONFIG = SiteConfig(title="BIN Maaspoort", base_url="https://bin.example.org/")
AREAS = frozenset({"maaspoort"})
REL = "content/maaspoort/2026-10-03-fiets-gestolen.md"


def kinds(text: str) -> tuple[str, ...]:
    return tuple(f.kind for f in scan(text, allowed_addresses=ALLOWED_ADDRESSES, allowed_domains=ALLOWED_DOMAINS))


def bulletin(text: str, rel: str = REL) -> Parsed:
    parsed = parse_bulletin(Source(rel, text.encode("utf-8")), CONFIG, AREAS)
    assert parsed.bulletin is not None, [p.format("en") for p in parsed.problems]
    return parsed


def check(parsed: Parsed, *, public: bool = True) -> list:
    return check_bulletin(parsed.bulletin, body=parsed.body, public=public, allowed_addresses=ALLOWED_ADDRESSES,
                          allowed_domains=ALLOWED_DOMAINS)


# --- The table -----------------------------------------------------------------

def test_table_is_large_enough():
    assert len(FOUND) + len(NOT_FOUND) >= 60
    assert {kind for _, expected in FOUND for kind in expected} == set(KINDS)


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[text[:40] for text, _ in FOUND])
def test_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", NOT_FOUND, ids=[text[:40] for text in NOT_FOUND])
def test_not_found(text):
    assert kinds(text) == ()


# --- Details of scan -------------------------------------------------------------

def test_finding_offsets_point_at_the_text():
    text = "Zag AB-12-CD bij 5223 AB 12; bel 06-12345678"
    for finding in scan(text):
        assert text[finding.start:finding.end] == finding.text
    assert scan(text)[0] == Finding("kenteken", "AB-12-CD", 4, 12)


def test_every_side_code_is_recognised_with_dashes():
    for code in SIDECODES:
        plate = "".join("G" if ch == "L" else "7" if ch == "D" else ch for ch in code)
        assert kinds(f"kenteken {plate} gezien") == ("kenteken",), code


def test_a_number_on_an_allowed_domain_is_still_personal_elsewhere():
    # the BIN's domain is allowed, a look-alike domain is not
    assert kinds("x@bin.example.org") == ()
    assert kinds("x@bin-example.org") == ("e-mail",)
    # without allow-lists every address is a finding
    assert [f.kind for f in scan("binco.maaspoort@gmail.com")] == ["e-mail"]


def test_checksums():
    assert iban_valid("NL91ABNA0417164300")
    assert not iban_valid("NL91ABNA0417164301")
    assert bsn_valid("111222333")
    assert not bsn_valid("111222334")
    assert not bsn_valid("000000000")


def test_kinds_have_both_languages():
    for kind, text in KINDS.items():
        assert text.nl and text.en and text.nl != text.en, kind


# --- check_bulletin ----------------------------------------------------------------

BULLETIN = """\
---
title: Fiets gestolen bij de Brede School
date: 2026-10-03 14:30
author: binco
---
Vanmiddag om 14.30 uur is bij de Brede School een fiets gestolen.

Er reed een grijze bestelbus weg met kenteken AB-12-CD.
Getuigen? Bel de wijkagent via 0900-8844 of mail binco.maaspoort@gmail.com.

::: leden
De eigenaar (06-12345678) woont op 5223 AB 12.
:::

Meer info bij buurman Jan: jan.jansen@gmail.com
"""


def test_reports_exact_line_and_column():
    problems = check(bulletin(BULLETIN))
    assert [(p.line, p.col) for p in problems] == [(8, 47), (15, 28)]
    first = problems[0]
    assert first.code == "privacy" and first.severity is Severity.ERROR
    assert first.format("nl").startswith(f"{REL}:8:47: fout: privacy: kenteken \"AB-12-CD\" in een openbaar bericht; ")
    assert "privacy: {allow: [kenteken], reason: \"...\"}" in first.format("nl")
    assert first.format("en").startswith(f"{REL}:8:47: error: privacy: kenteken \"AB-12-CD\" in a public bulletin; ")
    line = BULLETIN.split("\n")[7]
    assert line[47 - 1:].startswith("AB-12-CD")


def test_members_only_passage_is_not_scanned():
    problems = check(bulletin(BULLETIN))
    assert not any(p.line == 12 for p in problems)
    # ... and indeed the public rendition does not contain it
    assert "06-12345678" not in render_body(bulletin(BULLETIN).body, lang="nl").public_html


def test_title_and_summary_are_scanned():
    text = BULLETIN.replace("title: Fiets gestolen bij de Brede School",
                            "title: Bus AB-12-CD gezien\nsummary: Bel 06-87654321")
    problems = check(bulletin(text))
    assert [(p.line, p.col) for p in problems[:2]] == [(2, None), (3, None)]
    assert "AB-12-CD" in problems[0].message.nl and "06-87654321" in problems[1].message.nl


def test_allow_with_reason_silences_only_that_kind():
    text = BULLETIN.replace("author: binco\n", "author: binco\nprivacy:\n  allow: [kenteken]\n"
                                               "  reason: \"Politie vraagt om getuigen van deze bus\"\n")
    problems = check(bulletin(text))
    assert [p.message.nl.split(" ")[0] for p in problems] == ["e-mail"]


def test_allow_of_unknown_kind_is_reported():
    text = BULLETIN.replace("author: binco\n", "author: binco\nprivacy: {allow: [kentekens], reason: \"typo\"}\n")
    problems = check(bulletin(text))
    assert problems[0].line == 5 and "kentekens" in problems[0].message.nl
    assert sum("AB-12-CD" in p.message.nl for p in problems) == 1


def test_not_public_gives_warnings():
    text = BULLETIN.replace("author: binco\n", "author: binco\naudience: partners\n")
    problems = check(bulletin(text), public=False)
    assert len(problems) == 2
    assert all(p.severity is Severity.WARNING for p in problems)
    assert "niet openbaar" in problems[0].message.nl and "not public" in problems[0].message.en


def test_own_addresses_and_emergency_numbers_are_never_flagged():
    text = """\
---
title: Oproep getuigen
date: 2026-10-03
---
Bij spoed: bel 112. Geen spoed maar wel politie: 0900-8844.
Anoniem melden: Meld Misdaad Anoniem, 0800-7000. Gemeente: 14 073.
Mail de BINCO: binco.maaspoort@gmail.com, of de lijst maaspoort@bin.example.org.
[Afmelden](mailto:maaspoort-leave@bin.example.org)
Volg de politie op https://x.com/PolitieDenBosch en https://www.facebook.com/politie.
"""
    assert check(bulletin(text)) == []


def test_multiline_address_points_at_its_first_line():
    text = "---\ntitle: Inbraak\ndate: 2026-10-03\n---\nBij de buren,\nKerkstraat 12\n5223 AB Den Bosch\n"
    problems = check(bulletin(text))
    assert [(p.line, p.col) for p in problems] == [(6, 1)]
    assert '"Kerkstraat 12 5223 AB"' in problems[0].message.nl


def test_allow_without_reason_is_not_honoured():
    text = BULLETIN.replace("author: binco\n", "author: binco\nprivacy: {allow: [kenteken], reason: \"getuigen\"}\n")
    parsed = bulletin(text)
    without_reason = parsed._replace(bulletin=dataclasses.replace(parsed.bulletin, privacy_reason=""))
    assert any("AB-12-CD" in p.message.nl for p in check(without_reason))


@pytest.mark.parametrize("link", ["https://m.facebook.com/jan.de.vries", "facebook.com/jan?ref=share",
                                  "https://www.instagram.com/stories/piet_p/123", "threads.net/@klaas"])
def test_profile_link_variants(link):
    assert kinds(f"Zie {link} voor foto's") == ("social-media",)


def test_phone_gate_never_hides_a_possible_number():
    """``_may_hold_phone`` skips the phone pattern's scan; it may say False
    only where the pattern cannot match at all."""
    import random

    from binsite.privacy import _PHONE_START, _may_hold_phone

    rnd = random.Random(5)
    alphabet = list("0123456789+() -./\t\nab٣")
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(40))) for _ in range(20_000)]
    texts += ["Bel 06-12345678", "(073) 612 34 56", "+31 6 1234 5678", "om 10.00 uur", "kamer 0", "0٣"]
    skipped = [t for t in texts if not _may_hold_phone(t)]
    assert skipped and all(_PHONE_START.search(t) is None for t in skipped)
    assert not _may_hold_phone("Een tekst zonder nummers.") and _may_hold_phone("Bel 06-12345678")


# --- Attacks on a whole site: check fails at the line, or nothing reaches the output -----

import html as _html
import os
import unicodedata
from pathlib import Path

from binsite.build import build
from binsite.load import load_site
from binsite.errors import InvalidSite
from binsite.privacy import names, normalise

from tests.privacy_cases import ATTACKS, ENCODED, EVIL_IMAGES, MUST_PASS, NOT_ENCODED, PDF_ATTACKS, PDF_WARNINGS
from tests.sitekit import MINI_NOW, copy_fixture, text_pdf

ATTACK_REL = "content/noord/2026-11-07-aanval.md"


def _skeleton(text: str) -> str:
    text = unicodedata.normalize("NFKC", _html.unescape(text)).lower()
    return "".join(ch for ch in text if ch.isalnum())


def _leaks(out: Path, sentinel: str) -> list[str]:
    """Every output file that holds ``sentinel``, in any encoding the outputs use."""
    wanted = _skeleton(sentinel)
    leaked = []
    for folder, _, files in os.walk(out):
        for name in files:
            path = Path(folder) / name
            data = path.read_bytes().decode("utf-8", "replace")
            data = data.encode().decode("unicode_escape", "replace") if name.endswith(".js") else data
            if name.endswith(".pdf"):  # a PDF's text is compressed: what a reader's viewer extracts
                from binsite.source.media import pdf_pages

                data += "\n".join(pdf_pages(path.read_bytes()))
            if wanted in _skeleton(data):
                leaked.append(str(path.relative_to(out)))
    return leaked


def _attack_site(tmp_path: Path, body: str, *, author: str = "BINCO Noord") -> Path:
    root = copy_fixture("mini", tmp_path)
    (root / ATTACK_REL).write_text(
        f"---\ntitle: Aanval\ndate: 2026-11-07 10:00\nauthor: {{role: binco, name: {author}}}\n---\n{body}",
        encoding="utf-8")
    return root


def test_attack_table_covers_every_class():
    classes = [c for c, *_ in ATTACKS]
    assert all(classes.count(c) >= 3 for c in set(classes))
    # Round two (issue 31): at least five cases each.
    assert all(classes.count(c) >= 5 for c in ("separator", "split", "confusable", "spelled", "glued",
                                                "split-street", "number-first", "spelled-plus"))
    assert len(PDF_ATTACKS) >= 5 and len(ENCODED) >= 5 and len(PDF_WARNINGS) >= 5
    assert sum(word == "persoon" for *_, word in PDF_WARNINGS) >= 3 and sum(word == "base64" for *_, word in PDF_WARNINGS) >= 3


@pytest.mark.parametrize(("kind", "body", "line", "sentinel"), ATTACKS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ATTACKS)])
def test_attack_fails_check_or_leaves_no_trace(tmp_path, kind, body, line, sentinel):
    root = _attack_site(tmp_path, body)
    result = load_site(root, MINI_NOW)
    errors = [p for p in result.errors if p.path == ATTACK_REL]
    if line is not None:
        assert errors and errors[0].line == line, [p.format("en") for p in result.problems]
        with pytest.raises(InvalidSite):
            build(root, tmp_path / "out", now=MINI_NOW)
        assert not (tmp_path / "out" / "noord").exists() or not _leaks(tmp_path / "out", sentinel)
        return
    assert not result.errors, [p.format("en") for p in result.errors]
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    assert (out / "zoeken" / "index.js").exists() and any(out.rglob("*.xml"))
    page = next(out.rglob("2026-11-07-aanval*"))
    assert page.exists()
    assert _leaks(out, sentinel) == []


@pytest.mark.parametrize("image", EVIL_IMAGES)
def test_images_from_elsewhere_never_reach_the_site(tmp_path, image):
    root = _attack_site(tmp_path, f"Foto:\n\n{image}\n\n![goed](foto.jpg)\n")
    from sitekit import leaky_jpeg  # the picture beside the bulletin (binsite.source.media)

    (root / ATTACK_REL[:-3]).mkdir()
    (root / ATTACK_REL[:-3] / "foto.jpg").write_bytes(leaky_jpeg())
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    assert _leaks(out, "evil.example") == []
    page = (next(out.rglob("2026-11-07-aanval*")))
    page = page / "index.html" if page.is_dir() else page
    assert 'src="foto.jpg"' in page.read_text()


def test_author_name_list_and_settings_texts_are_scanned(tmp_path):
    root = _attack_site(tmp_path, "Gewone tekst.\n", author="Bel 06-12345678")
    area = root / "lists" / "noord.yaml"
    lines = [line for line in area.read_text().split("\n") if not line.startswith(("join:", "district:"))]
    area.write_text("\n".join(lines) + "\ndistrict: Kerkstraat 12\njoin: Mail piet{at}gmail.com\n")
    result = load_site(root, MINI_NOW)
    found = {(p.path, p.line) for p in result.errors}
    assert (ATTACK_REL, 4) in found
    assert {("lists/noord.yaml", len(lines) + 1), ("lists/noord.yaml", len(lines) + 2)} <= found, found


@pytest.mark.parametrize("where", ["content/noord/link.md", "content/link-map", "lists/link.yaml", "templates",
                                   "docs/handleiding-binco.md", "binsite.yaml"])
def test_symlinks_are_refused_with_their_path(tmp_path, where):
    root = copy_fixture("mini", tmp_path / "site")
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Geheim\ndate: 2026-11-01\n---\nWACHTWOORD=Zwaluwstaart99\n")
    target = root / where
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink() if target.is_file() else None
    target.symlink_to(tmp_path if where in ("content/link-map", "templates") else secret)
    result = load_site(root, MINI_NOW)
    assert any(p.path == where and "symbolische koppeling" in p.message.nl for p in result.errors), \
        [p.format("nl") for p in result.problems]
    with pytest.raises(InvalidSite):
        build(root, tmp_path / "out", now=MINI_NOW)
    assert not (tmp_path / "out").exists() or _leaks(tmp_path / "out", "Zwaluwstaart99") == []


@pytest.mark.parametrize(("body", "line"), [
    ("::: leden\n" * 500 + "geheim\n" + ":::\n" * 500, 6 + 3),
    ("".join("    " * i + "- punt\n" for i in range(300)), 6 + 16),
    (">" * 600 + " citaat\n", 6),
    ("- " * 400 + "x\n", 6),
])
def test_deep_nesting_is_a_clear_error(tmp_path, body, line):
    root = _attack_site(tmp_path, body)
    result = load_site(root, MINI_NOW)
    errors = [p for p in result.errors if p.path == ATTACK_REL]
    assert errors and errors[0].line == line, [p.format("en") for p in result.problems]


def test_names_warn_but_roles_do_not():
    assert [f.text for f in names("Gisteren zag Jan Jansen iets; Marieke van der Berg ook.")] == \
        ["Jan Jansen", "Marieke van der Berg"]
    assert names("Wijkagent Maaspoort, BINCO Empel en de Jan van Riebeeckstraat") == []
    b = bulletin("---\ntitle: Oproep\ndate: 2026-10-03\n---\nGetuige Jan Jansen zag het.\n")
    problems = check(b)
    assert [(p.severity, p.line, p.col) for p in problems] == [(Severity.WARNING, 5, 9)]


def test_normalise_unifies_what_looks_alike():
    assert normalise("06\u00a012\u2011\u200b34\uff15") == "06 12-345"


def test_scan_reports_offsets_in_the_text_as_written():
    text = "Bel 06\u200b-1234\u00a05678 nu"
    (finding,) = scan(text)
    assert text[finding.start:finding.end] == finding.text and finding.start == 4


def test_other_extensions_can_ask_what_is_members_only():
    """An extension's treeprocessor (images, attachments) asks the one parser's
    result: in the mail rendition the passage's elements are marked, in the
    public rendition they are not in the tree at all."""
    import markdown
    from markdown.treeprocessors import Treeprocessor

    from binsite.render.markup import BinsiteExtension, members_only_elements

    seen: dict[str, list[tuple[str, bool]]] = {}

    class Probe(Treeprocessor):
        def run(self, root):
            inside = members_only_elements(root)
            seen[self.name] = [(e.get("src"), id(e) in inside) for e in root.iter("img")]

    body = "![open](a.jpg)\n::: leden\n![leden](b.jpg)\n:::\n"
    for keep in (True, False):
        md = markdown.Markdown(extensions=[BinsiteExtension(keep_members_only=keep, lang="nl")])
        probe = Probe(md)
        probe.name = "mail" if keep else "public"
        md.treeprocessors.register(probe, "probe", 15)
        md.convert(body)
    assert seen["mail"] == [("a.jpg", False), ("b.jpg", True)]
    assert seen["public"] == [("a.jpg", False)]


@pytest.mark.parametrize("slug", ["bel-06-12345678", "auto-gh-12-jk", "kerkstraat-12-inbraak"])
def test_file_name_is_scanned_as_it_becomes_the_address(slug):
    b = bulletin("---\ntitle: Bericht\ndate: 2026-10-03\n---\nTekst.\n", rel=f"content/maaspoort/2026-10-03-{slug}.md")
    problems = check(b)
    assert problems and problems[0].line is None and "bestandsnaam" in problems[0].message.nl


def test_a_finding_is_placed_outside_members_only_passages():
    text = "---\ntitle: Bericht\ndate: 2026-10-03\n---\n::: leden\nBel 06-12345678\n:::\n\nOok hier: 06-12345678\n"
    problems = check(bulletin(text))
    assert [(p.line, p.col) for p in problems] == [(9, 11)]


def test_street_keys_agree_with_the_street_list():
    from binsite.privacy import STREET_HASHES, _word_list, street_hashes

    assert STREET_HASHES.read_bytes() == street_hashes(_word_list("streets"))


def test_a_symlink_added_after_a_build_is_refused_by_the_next_build(tmp_path):
    root = copy_fixture("mini", tmp_path / "site")
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    secret = tmp_path / "geheim.md"
    secret.write_text("---\ntitle: Geheim\ndate: 2026-11-01\n---\nZwaluwstaart98\n")
    (root / "content" / "noord" / "2026-11-08-link.md").symlink_to(secret)
    with pytest.raises(InvalidSite) as raised:
        build(root, out, now=MINI_NOW)
    assert any(p.path == "content/noord/2026-11-08-link.md" for p in raised.value.problems)
    assert _leaks(out, "Zwaluwstaart98") == []


def test_the_example_site_passes_with_no_privacy_finding():
    """Real bulletin text (times, dates, amounts, streets without a number,
    role names, the BIN's own addresses): no error and no warning."""
    root = Path(__file__).resolve().parent.parent
    result = load_site(root, MINI_NOW)
    assert [p.format("en") for p in result.problems if p.code in ("privacy", "leden", "link", "placeholder")] == []


# --- Round two (issue 31): attachments, encodings, the must-pass sentences -----------------

def _pdf_site(tmp_path: Path, body: str, pages: tuple[str, ...]) -> Path:
    root = _attack_site(tmp_path, body)
    (root / ATTACK_REL[:-3]).mkdir()
    (root / ATTACK_REL[:-3] / "brief.pdf").write_bytes(text_pdf(*pages))
    return root


@pytest.mark.parametrize(("pages", "body", "line", "page"), PDF_ATTACKS, ids=[f"pdf-{i}" for i in range(len(PDF_ATTACKS))])
def test_a_pdf_text_is_judged_like_the_body(tmp_path, pages, body, line, page):
    root = _pdf_site(tmp_path, body, pages)
    errors = [p for p in load_site(root, MINI_NOW).errors if p.path == ATTACK_REL]
    assert [(p.line, p.code) for p in errors] == [(line, "privacy")], [p.format("en") for p in errors]
    assert f"in brief.pdf, pagina {page}:" in errors[0].format("nl")
    assert f"in brief.pdf, page {page}:" in errors[0].format("en")
    # The advice fits a file: change the PDF or link it for members only (no "::: leden" around a sentence of it).
    assert "Haal het uit de pdf, link de pdf alleen in een ::: leden-blok" in errors[0].format("nl")
    assert "Remove it from the PDF" in errors[0].format("en")
    with pytest.raises(InvalidSite):
        build(root, tmp_path / "out", now=MINI_NOW)
    assert not list((tmp_path / "out").rglob("brief.pdf"))


def test_a_clean_pdf_is_published_with_its_text_and_a_members_only_one_is_not_judged(tmp_path):
    body = "Lees [de omleiding](brief.pdf).\n\n::: leden\n[voor leden](leden.pdf)\n:::\n"
    root = _pdf_site(tmp_path, body, ("Omleiding Zwaluwstaart via de ringweg", "Tweede blad"))
    (root / ATTACK_REL[:-3] / "leden.pdf").write_bytes(text_pdf("Bel 06-24681357"))
    result = load_site(root, MINI_NOW)
    assert not result.errors, [p.format("en") for p in result.errors]
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    # The sentinel walk reads PDFs' text: the published one is found, the members' one is not on the site.
    assert [Path(p).name for p in _leaks(out, "Zwaluwstaart")] == ["brief.pdf"]
    assert _leaks(out, "24681357") == []


def test_an_allowed_kind_is_kept_in_a_pdf_too(tmp_path):
    root = _pdf_site(tmp_path, "[brief](brief.pdf)\n", ("Bel 06-12345678",))
    path = root / ATTACK_REL
    path.write_text(path.read_text().replace("---\n[brief]", 'privacy: {allow: [telefoon], reason: "eigen nummer"}\n---\n[brief]'))
    assert not [p for p in load_site(root, MINI_NOW).errors if p.path == ATTACK_REL]


def test_a_changed_pdf_is_judged_again_from_the_cache(tmp_path):
    root = _pdf_site(tmp_path, "[brief](brief.pdf)\n", ("Omleiding",))
    build(root, tmp_path / "out", now=MINI_NOW)
    (root / ATTACK_REL[:-3] / "brief.pdf").write_bytes(text_pdf("Bel 06-12345678"))
    errors = [p for p in load_site(root, MINI_NOW).errors if p.path == ATTACK_REL]
    assert [p.line for p in errors] == [6]


@pytest.mark.parametrize(("pages", "body", "line", "page", "word"), PDF_WARNINGS,
                         ids=[f"pdf-warning-{i}" for i in range(len(PDF_WARNINGS))])
def test_a_name_or_an_encoding_in_a_pdf_is_a_warning_at_the_link(tmp_path, pages, body, line, page, word):
    root = _pdf_site(tmp_path, body, pages)
    result = load_site(root, MINI_NOW)
    assert not [p for p in result.errors if p.path == ATTACK_REL], [p.format("en") for p in result.errors]
    warned = [p for p in result.problems if p.path == ATTACK_REL and p.code == "privacy"]
    assert [(p.severity, p.line) for p in warned] == [(Severity.WARNING, line)], [p.format("en") for p in warned]
    assert f"in brief.pdf, pagina {page}:" in warned[0].format("nl") and word in warned[0].format("nl")
    assert "uit de pdf" in warned[0].format("nl") and "from the PDF" in warned[0].format("en")
    # A warning, as in the body: the site builds and the PDF is published, its text with it.
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    assert "brief.pdf" in [Path(p).name for p in _leaks(out, pages[page - 1].split()[-1].strip("."))]


def test_a_name_in_a_pdf_is_kept_when_allowed_and_not_judged_in_a_members_only_link(tmp_path):
    root = _pdf_site(tmp_path, "[brief](brief.pdf)\n", ("Aangifte door Jan Jansen.",))
    path = root / ATTACK_REL
    path.write_text(path.read_text().replace("---\n[brief]", 'privacy: {allow: [naam], reason: "eigen naam"}\n---\n[brief]'))
    assert not [p for p in load_site(root, MINI_NOW).problems if p.path == ATTACK_REL and p.code == "privacy"]
    path.write_text(path.read_text().replace("privacy: {allow: [naam], reason: \"eigen naam\"}\n", "")
                    .replace("[brief](brief.pdf)", "::: leden\n[brief](brief.pdf)\n:::"))
    assert not [p for p in load_site(root, MINI_NOW).problems if p.path == ATTACK_REL and p.code == "privacy"]


@pytest.mark.parametrize(("body", "line"), ENCODED, ids=[f"encoded-{i}" for i in range(len(ENCODED))])
def test_an_encoded_run_is_a_warning_at_its_line(tmp_path, body, line):
    root = _attack_site(tmp_path, body)
    result = load_site(root, MINI_NOW)
    assert not [p for p in result.errors if p.path == ATTACK_REL], [p.format("en") for p in result.errors]
    warned = [p for p in result.problems if p.path == ATTACK_REL and p.severity == Severity.WARNING
              and "base64" in p.format("nl")]
    assert [p.line for p in warned] == [line], [p.format("en") for p in result.problems]


@pytest.mark.parametrize("text", NOT_ENCODED)
def test_ordinary_long_words_are_no_encoding(text):
    from binsite.privacy import encodings

    assert encodings(text) == []


@pytest.mark.parametrize("sentence", MUST_PASS)
def test_the_must_pass_sentences_build(tmp_path, sentence):
    root = _attack_site(tmp_path, sentence + ".\n")
    result = load_site(root, MINI_NOW)
    assert not [p for p in result.problems if p.path == ATTACK_REL and p.code == "privacy"], \
        [p.format("en") for p in result.problems]
    out = tmp_path / "out"
    build(root, out, now=MINI_NOW)
    assert _leaks(out, sentence)
