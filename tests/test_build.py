"""The built archive: what is in it, what never is, and that it is stable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from binsite.build import build
from binsite.errors import InvalidSite
from sitekit import MINI_NOW, write

ATOM = "{http://www.w3.org/2005/Atom}"
SENTINELS = {
    "SENTINEL-PARTNERS-ALFA": "partners-only",
    "SENTINEL-DRAFT-BRAVO": "draft",
    "SENTINEL-SCHEDULED-CHARLIE": "scheduled",
    "SENTINEL-EXPIRED-DELTA": "expired by category retention",
    "SENTINEL-EXPIRES-ECHO": "expired by its own date",
    "SENTINEL-PRIVATE-FOXTROT": "public: false",
    "LEDENZIN-ZEVEN": "members-only passage",
}


def all_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_expected_pages_exist(mini_built):
    files = all_files(mini_built)
    for rel in ["index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "noord/feed.xml", "zuid/feed.xml",
                "noord/index.html", "noord/pagina/2/index.html", "zuid/index.html", "mededelingen/index.html",
                "categorie/index.html", "categorie/inbraak/index.html", "zoeken/index.html", "zoeken/index.js",
                "over/index.html", "assets/style.css", "assets/search.js",
                "noord/2026-11-01-fiets-gestolen/index.html", "mededelingen/2026-11-02-donkere-dagen/index.html"]:
        assert rel in files, rel


@pytest.mark.parametrize("sentinel", sorted(SENTINELS))
def test_sentinel_appears_nowhere(mini_built, sentinel):
    for rel, data in all_files(mini_built).items():
        assert sentinel.encode() not in data, f"{SENTINELS[sentinel]} text leaked into {rel}"


def test_hidden_bulletins_have_no_page_and_no_link(mini_built):
    files = all_files(mini_built)
    for slug in ["2026-11-05-partners", "2026-11-06-concept", "2026-12-24-kerst", "2026-09-01-oud-bericht",
                 "2026-10-20-vergadering", "2026-11-02-niet-openbaar"]:
        assert not any(slug in rel for rel in files), slug
        assert not any(slug.encode() in data for data in files.values()), slug


def test_drafts_only_with_flag(mini_root, tmp_path):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW, drafts=True)
    assert (out / "noord/2026-11-06-concept/index.html").is_file()


def test_bulletin_page_content(mini_built):
    page = (mini_built / "noord/2026-11-01-fiets-gestolen/index.html").read_text()
    assert '<html lang="nl">' in page
    assert "1 november 2026, 09:30" in page
    assert "<h1>Fiets gestolen bij de school</h1>" in page
    assert "<h2>Wat kunt u doen?</h2>" in page  # body headings start below the title
    assert "Inbraak" in page and "BINCO Noord" in page
    # follow-up links both ways
    assert 'href="../../noord/2026-11-03-fiets-terecht/"' in page
    follow = (mini_built / "noord/2026-11-03-fiets-terecht/index.html").read_text()
    assert "Eerder bericht:" in follow and 'href="../../noord/2026-11-01-fiets-gestolen/"' in follow
    assert "Een deel van dit bericht is alleen voor leden." in follow


def test_notice_listed_on_each_area(mini_built):
    for area in ("noord", "zuid"):
        page = (mini_built / area / "index.html").read_text() + (mini_built / area / "pagina/2/index.html").read_text() \
            if (mini_built / area / "pagina/2/index.html").exists() else (mini_built / area / "index.html").read_text()
        assert "Donkere dagen offensief" in page, area


def test_feeds_are_atom(mini_built):
    for rel in ["feed.xml", "noord/feed.xml", "zuid/feed.xml"]:
        root = ET.fromstring((mini_built / rel).read_bytes())
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated"):
            assert root.find(f"{ATOM}{required}") is not None
        entries = root.findall(f"{ATOM}entry")
        assert entries, rel
        for entry in entries:
            for required in ("id", "title", "updated", "content"):
                assert entry.find(f"{ATOM}{required}").text, (rel, required)
            assert entry.find(f"{ATOM}id").text.startswith("https://bin.test.example/archief/")
    content = ET.fromstring((mini_built / "feed.xml").read_bytes()).find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "html" and "<p>" in content.text


def test_links_are_relative_and_resolve(mini_built):
    """Every internal href/src resolves to a built file, so the site works under any sub-path."""
    files = set(all_files(mini_built))
    for rel in files:
        if not rel.endswith(".html") or rel == "404.html":
            continue
        html = (mini_built / rel).read_text()
        for target in re.findall(r'(?:href|src)="([^"#]*)', html):
            if not target or re.match(r"^[a-z]+:", target):
                continue
            assert not target.startswith("/"), (rel, target)
            resolved = (Path(rel).parent / target).as_posix()
            resolved = Path("/" + resolved).resolve().as_posix().lstrip("/")
            if target.endswith("/") or target in (".", "./"):
                resolved = (resolved + "/index.html").lstrip("/")
            assert resolved in files, (rel, target, resolved)


def test_404_uses_base_path(mini_built):
    page = (mini_built / "404.html").read_text()
    assert 'href="/archief/assets/style.css"' in page


def test_sitemap_and_robots(mini_built):
    root = ET.fromstring((mini_built / "sitemap.xml").read_bytes())
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://bin.test.example/archief/noord/2026-11-01-fiets-gestolen/" in locs
    assert all(loc.startswith("https://bin.test.example/archief/") for loc in locs)
    assert "Sitemap: https://bin.test.example/archief/sitemap.xml" in (mini_built / "robots.txt").read_text()


def test_search_index_has_public_words_only(mini_built):
    index = (mini_built / "zoeken/index.js").read_text()
    assert "basisschool" in index
    assert "sentinel" not in index.lower()


def test_build_is_deterministic(mini_root, tmp_path):
    build(mini_root, tmp_path / "a", now=MINI_NOW)
    build(mini_root, tmp_path / "b", now=MINI_NOW)
    assert all_files(tmp_path / "a") == all_files(tmp_path / "b")


def test_stale_files_are_removed_and_unchanged_untouched(mini_root, tmp_path):
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    page = out / "noord/2026-11-01-fiets-gestolen/index.html"
    mtime = page.stat().st_mtime_ns
    (mini_root / "content/zuid/2026-11-04-straatverlichting.md").unlink()
    result = build(mini_root, out, now=MINI_NOW)
    assert not (out / "zuid/2026-11-04-straatverlichting").exists()
    assert result.report.removed >= 1
    assert page.stat().st_mtime_ns == mtime


def test_invalid_site_writes_nothing(mini_root, tmp_path):
    write(mini_root / "content/noord/2026-11-08-kapot.md", "---\ntitle: Kapot\ndate: 2026-11-31\n---\nT\n")
    out = tmp_path / "out"
    with pytest.raises(InvalidSite) as info:
        build(mini_root, out, now=MINI_NOW)
    assert any(p.path == "content/noord/2026-11-08-kapot.md" and p.line == 3 for p in info.value.problems)
    assert not out.exists()


def test_refuses_to_clean_a_foreign_folder(mini_root, tmp_path):
    out = tmp_path / "out"
    write(out / "belangrijk.txt", "niet weggooien")
    with pytest.raises(Exception):
        build(mini_root, out, now=MINI_NOW)
    assert (out / "belangrijk.txt").exists()


def test_site_template_overrides_default(mini_root, tmp_path):
    write(mini_root / "templates/404.html", "{% extends 'base.html' %}{% block content %}EIGEN-404{% endblock %}")
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    assert "EIGEN-404" in (out / "404.html").read_text()


def test_english_interface(mini_root, tmp_path):
    config = mini_root / "binsite.yaml"
    config.write_text(config.read_text().replace("language: nl", "language: en"))
    out = tmp_path / "out"
    build(mini_root, out, now=MINI_NOW)
    page = (out / "noord/2026-11-01-fiets-gestolen/index.html").read_text()
    assert '<html lang="en">' in page and "1 November 2026" in page and "Skip to content" in page
