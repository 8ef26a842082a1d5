"""Mailman speaks the site's language with binsite's own texts (lists sync, real Mailman)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from binsite.mailman.client import list_id
from binsite.mailman.sync import sync
from binsite.mailman.templates import EMPTY, TEMPLATE_NAMES, TemplateStore, list_templates, store_from_env
from binsite.source.areas import MEMBERS, PARTNERS, Area
from sitekit import area, write_site

pytestmark = pytest.mark.mailman

# Sentences of Mailman's stock English templates that must never reach a resident.
STOCK_ENGLISH = ("awaits moderator approval", "Is being held until", "visit your dashboard", "web UI",
                 "password", "To unsubscribe send an email", "GNU Mailman", "mailing list")


def _area(name: str = "Noord") -> Area:
    return Area("noord", name, name, "Het gebied.", ("binco.noord@bin.example.org",), (), "", "lists/noord.yaml")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_template_has_binsites_text_without_passwords_or_dashboards(language: str) -> None:
    for web_url in ("", "https://bin.example.org/mijn/"):
        for kind in (MEMBERS, PARTNERS):
            texts = list_templates(_area(), kind, title="BIN $tad", language=language, web_url=web_url)
            assert tuple(texts) == TEMPLATE_NAMES
            for name, text in texts.items():
                if name in EMPTY:
                    assert text == ""
                    continue
                assert text.strip(), name
                for sentence in STOCK_ENGLISH:
                    assert sentence.lower() not in text.lower(), (name, sentence)
            welcome = texts["list:user:notice:welcome"]
            assert "112" in welcome and "0900-8844" in welcome and "$owner_email" in welcome
            assert "$$tad" in welcome  # the site's own $ cannot become a Mailman placeholder
            desk = texts["list:admin:action:post"]
            if web_url:
                assert "https://bin.example.org/mijn/binco/" in desk
            else:
                assert "binsite inbox" in desk
            dutch = "Spelregels" in welcome
            assert dutch is (language == "nl")


def test_a_changed_text_is_a_new_uri(tmp_path: Path) -> None:
    store = store_from_env(tmp_path, {})
    assert store.base_url.startswith("file://") and store.folder == (tmp_path / ".binsite/mailman-templates").resolve()
    other = store_from_env(tmp_path, {"BINSITE_MAILMAN_TEMPLATES": "tpl", "BINSITE_MAILMAN_TEMPLATES_URL": "https://x.example/t/"})
    assert other == TemplateStore((tmp_path / "tpl").resolve(), "https://x.example/t/")
    assert other.uri("a/b.txt") == "https://x.example/t/a/b.txt"


def test_sync_sets_the_language_and_points_every_template_at_binsites_file(
        mailman, mail_domain: str, tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", mail_domain, {"noord": area("Noord", mail_domain, "noord")})
    sync(root, mailman.settings)
    client = mailman.client()
    store = store_from_env(root)
    for address in (f"noord@{mail_domain}", f"noord-partners@{mail_domain}"):
        assert client.list_settings(address, ["preferred_language"]) == {"preferred_language": "nl"}
        uris = client.list_uris(address)
        assert set(uris) == set(TEMPLATE_NAMES)
        for name, uri in uris.items():
            assert uri.startswith(store.base_url + "/" + list_id(address) + "/")
            text = Path(uri.removeprefix("file://")).read_text(encoding="utf-8")
            assert (text == "") is (name in EMPTY)
    assert sync(root, mailman.settings) == []

    # English site: the language and every text follow, and the old files stay valid URIs until replaced.
    config = yaml.safe_load((root / "binsite.yaml").read_text(encoding="utf-8"))
    config["language"] = "en"
    (root / "binsite.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    changes = sync(root, mailman.settings)
    (texts,) = [c for c in changes if c.action == "templates" and c.target == f"noord@{mail_domain}"]
    assert {name for name, _, _ in texts.value} == set(TEMPLATE_NAMES) - EMPTY
    assert client.list_settings(f"noord@{mail_domain}", ["preferred_language"]) == {"preferred_language": "en"}
    welcome = Path(client.list_uris(f"noord@{mail_domain}")["list:user:notice:welcome"].removeprefix("file://"))
    assert "House rules" in welcome.read_text(encoding="utf-8")
    # A template file lost from the store is written again.
    welcome.unlink()
    assert [(c.action, [name for name, _, _ in c.value]) for c in sync(root, mailman.settings)] == \
        [("templates", ["list:user:notice:welcome"])]
    assert welcome.is_file()
    assert sync(root, mailman.settings) == []
