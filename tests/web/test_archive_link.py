"""The archive's "Hoe word ik lid?" leads to the service's join and report forms when binsite.yaml has a web_url."""

from __future__ import annotations

from binsite.build import build
from sitekit import MINI_NOW, copy_fixture
from webkit import with_web_url


def test_area_pages_link_to_their_join_form(tmp_path):
    root = with_web_url(copy_fixture("mini", tmp_path), "https://bin.test.example/dienst/")
    build(root, root / "_site", now=MINI_NOW)
    area_page = (root / "_site" / "noord" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://bin.test.example/dienst/aanmelden/noord/" rel="noopener noreferrer">Meld u aan met het formulier</a>' in area_page
    assert ('href="https://bin.test.example/dienst/melden/noord/" rel="noopener noreferrer">Iets gezien? Meld het aan de '
            'BINCO met het formulier') in area_page
    assert 'href="https://bin.test.example/dienst/"' in (root / "_site" / "index.html").read_text(encoding="utf-8")


def test_without_web_url_there_is_no_form_link(mini_built):
    assert "melden/" not in (mini_built / "noord" / "index.html").read_text(encoding="utf-8")
