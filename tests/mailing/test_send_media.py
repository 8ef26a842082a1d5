"""Bulletins with pictures and PDFs through the real Mailman: inline images,
attached documents, nothing of their metadata in what residents receive,
and a mail too large for the limit is refused before anything is sent."""

from __future__ import annotations

import dataclasses
import io
import os
import random
from pathlib import Path

import pytest
from PIL import Image

from binsite.errors import InvalidSite
from binsite.mailing.run import send
from binsite.mailman.sync import max_message_kb, sync
from sitekit import SECRETS, area, bulletin_text, leaky_jpeg, leaky_pdf, write_bulletin, write_site
from tests.mailman_fixtures import RunningMailman, new_domain
from tests.mailing.test_send import NOW

pytestmark = pytest.mark.mailman

AREAS = ("noord", "zuid")


def noise_jpeg(side: int = 900) -> bytes:
    """A picture that stays large when compressed: its web size is far over Mailman's default 40 KB."""
    rng = random.Random(3)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclasses.dataclass(frozen=True)
class Network:
    root: Path
    domain: str
    residents: tuple[str, ...]


def lists_of(domain: str) -> dict[str, dict]:
    return {a: area(a.capitalize(), domain, a) for a in AREAS}


@pytest.fixture(scope="module")
def synced(local_mailman: RunningMailman, tmp_path_factory: pytest.TempPathFactory) -> Network:
    domain = new_domain()
    root = write_site(tmp_path_factory.mktemp("media") / "site", domain, lists_of(domain))
    sync(root, local_mailman.settings)
    residents = (f"bewoner1@res.{domain}", f"bewoner2@res.{domain}")
    client = local_mailman.client()
    for address in residents:
        client.subscribe(f"noord@{domain}", address)
    return Network(root, domain, residents)


@pytest.fixture
def network(mailman: RunningMailman, synced: Network, tmp_path: Path) -> Network:
    return dataclasses.replace(synced, root=write_site(tmp_path / "site", synced.domain, lists_of(synced.domain)))


def write_with_files(root: Path, body: str, files: dict[str, bytes], **front) -> None:
    write_bulletin(root, "noord/2026-11-09-fiets.md", bulletin_text("Fiets gevonden", "2026-11-09 10:00", body,
                                                                    **front))
    folder = root / "content/noord/2026-11-09-fiets"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_sync_sets_mailmans_size_limit_to_what_the_largest_allowed_bulletin_needs(
        local_mailman: RunningMailman, synced: Network):
    client = local_mailman.client()
    for area_id in AREAS:
        settings = client.list_settings(f"{area_id}@{synced.domain}", ["max_message_size"])
        assert settings["max_message_size"] == max_message_kb(10_000_000) > 40


def test_pictures_arrive_inline_and_pdfs_attached_without_any_metadata(mailman: RunningMailman, network: Network):
    big = noise_jpeg()
    write_with_files(network.root,
                     "Deze fiets is gevonden.\n\n![Een rode fiets tegen een hek](fiets.jpg)\n\n"
                     "![Het slot van de fiets](slot.jpg)\n\nZie [het formulier](formulier.pdf).\n\n"
                     "::: leden\n![De plek waar hij stond](plek.jpg)\n:::\n",
                     {"fiets.jpg": leaky_jpeg(1600, 1200), "slot.jpg": big, "formulier.pdf": leaky_pdf(),
                      "plek.jpg": leaky_jpeg(300, 200, orientation=1)})
    result = send(network.root, now=NOW, settings=mailman.settings)
    assert len(result.sent) == 1
    delivered = mailman.wait_for_deliveries(network.domain, len(network.residents))
    assert {r for d in delivered for r in d.envelope_to} == set(network.residents)
    for item in delivered:
        message = item.message
        assert len(bytes(message)) > 40 * 1024  # over Mailman's default limit: delivered, not held
        html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
        images = {p.get_filename(): p for p in message.walk() if p.get_content_maintype() == "image"}
        pdfs = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert set(images) == {"fiets.jpg", "slot.jpg", "plek.jpg"}  # the members-only one too: this is the mail
        for name, part in images.items():
            cid = part["Content-ID"].strip("<>")
            assert f'src="cid:{cid}"' in html, name
            assert part.get_content_disposition() == "inline"
        assert any(p.get_content_type() == "multipart/related" for p in message.walk())
        assert len(pdfs) == 1 and pdfs[0].get_filename() == "formulier.pdf"
        assert pdfs[0].get_content_disposition() == "attachment"
        assert "fiets.jpg: Een rode fiets tegen een hek" in text and "formulier.pdf" in text
        with Image.open(io.BytesIO(images["fiets.jpg"].get_payload(decode=True))) as image:
            assert image.size == (768, 1024) and len(image.getexif()) == 0  # turned upright, web size
            assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(image.info)
        decoded = b"".join(p.get_payload(decode=True) or b"" for p in message.walk() if not p.is_multipart())
        assert [s for s in SECRETS if s in decoded] == []
    # And a plain byte search over everything the sink keeps.
    for path in mailman.maildir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert [s for s in SECRETS if s in data] == [], path


def test_a_mail_over_the_limit_is_an_error_before_anything_is_sent(mailman: RunningMailman, network: Network):
    write_with_files(network.root, "Deze fiets is gevonden.\n\n![Een fiets](slot.jpg)\n",
                     {"slot.jpg": noise_jpeg()}, privacy={"photos_checked": True})
    config = network.root / "binsite.yaml"
    config.write_text(config.read_text() + "media:\n  max_mail_mb: 0.1\n")
    with pytest.raises(InvalidSite) as caught:
        send(network.root, now=NOW, settings=mailman.settings)
    assert any(p.path == "content/noord/2026-11-09-fiets.md" and "e-mail would be about" in p.message.en
               for p in caught.value.problems)
    mailman.settle()
    assert mailman.deliveries(network.domain) == []
    assert not (network.root / "state" / "sent.jsonl").exists() or \
        (network.root / "state" / "sent.jsonl").read_text() == ""
