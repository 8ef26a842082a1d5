"""Pictures and documents beside a bulletin: checked at their line, published
without a trace of where, when and by whom they were made, and never from a
members-only passage."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from binsite.build import build
from binsite.load import load_site
from binsite.errors import InvalidSite
from sitekit import MINI_NOW, SECRETS, leaky_jpeg, leaky_pdf, leaky_png, leaky_webp, write

BULLETIN = "content/zuid/2026-11-04-straatverlichting.md"
FOLDER = "content/zuid/2026-11-04-straatverlichting"
PAGE = "zuid/2026-11-04-straatverlichting"


def add_body(root: Path, text: str, rel: str = BULLETIN) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def put(root: Path, name: str, data: bytes, folder: str = FOLDER) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def members_image() -> bytes:
    """A picture whose pixels no public file may hold: pure magenta."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (255, 0, 255)).save(out, "PNG")
    return out.getvalue()


def every_file(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def leaky_site(mini_root: Path) -> Path:
    add_body(mini_root, "![Een kapotte lantaarnpaal bij de speeltuin](paal.jpg)\n\n"
                        "![Plattegrond van de straat](straat.png)\n\n"
                        "![Een bord met de omleiding](bord.webp)\n\n"
                        "De gemeente schreef [een brief](brief.pdf).\n\n"
                        "::: leden\n![Foto van de dader](dader.png)\n:::\n")
    put(mini_root, "paal.jpg", leaky_jpeg(2400, 1600, orientation=6))
    put(mini_root, "straat.png", leaky_png())
    put(mini_root, "bord.webp", leaky_webp())
    put(mini_root, "brief.pdf", leaky_pdf())
    put(mini_root, "dader.png", members_image())
    return mini_root


def test_no_metadata_of_any_file_reaches_the_site(leaky_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(leaky_site, out, now=MINI_NOW)
    files = every_file(out)
    assert {f"{PAGE}/paal.jpg", f"{PAGE}/groot/paal.jpg", f"{PAGE}/straat.png", f"{PAGE}/groot/straat.png",
            f"{PAGE}/bord.webp", f"{PAGE}/groot/bord.webp", f"{PAGE}/brief.pdf"} <= files.keys()
    # The inputs did hold the secrets (else this test proves nothing) ...
    sources = b"".join(p.read_bytes() for p in (leaky_site / FOLDER).iterdir())
    assert all(secret in sources for secret in SECRETS)
    # ... and not one byte sequence of them is anywhere in the output.
    leaks = [(path, secret) for path, data in files.items() for secret in SECRETS if secret in data]
    assert leaks == []
    for name in ("paal.jpg", "groot/paal.jpg", "straat.png", "groot/straat.png", "bord.webp", "groot/bord.webp"):
        with Image.open(io.BytesIO(files[f"{PAGE}/{name}"])) as image:
            assert len(image.getexif()) == 0, name
            assert not set(image.info) & {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop",
                                          "Author"}, (name, image.info)
    with Image.open(io.BytesIO(files[f"{PAGE}/paal.jpg"])) as image:
        markers = [marker for marker, _ in image.applist]
        assert not {"APP1", "APP13", "COM"} & set(markers), markers
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(files[f"{PAGE}/brief.pdf"]))
    assert reader.metadata is None and reader.xmp_metadata is None
    assert len(reader.pages) == 1


def test_orientation_is_applied_to_the_pixels_and_the_page_gives_the_size(leaky_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(leaky_site, out, now=MINI_NOW)
    for name, long_side in (("paal.jpg", 1024), ("groot/paal.jpg", 2048)):
        with Image.open(out / PAGE / name) as image:
            # Stored 2400x1600 with the left half red; turned 90° clockwise: 1600x2400, red on top.
            assert image.height == long_side and image.width == round(long_side * 1600 / 2400)
            rgb = image.convert("RGB")
            top = rgb.getpixel((image.width // 2, image.height // 10))
            bottom = rgb.getpixel((image.width // 2, image.height * 9 // 10))
            assert top[0] > 200 and top[2] < 60, top
            assert bottom[2] > 200 and bottom[0] < 60, bottom
    html = (out / PAGE / "index.html").read_text()
    assert '<a href="groot/paal.jpg" rel="noopener noreferrer"><img alt="Een kapotte lantaarnpaal bij de speeltuin" ' \
           'height="1024" src="paal.jpg" width="683"></a>' in html
    assert 'height="20" src="straat.png" width="30"' in html
    assert '<a href="brief.pdf"' in html


def test_a_members_only_image_never_reaches_the_output_folder(leaky_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(leaky_site, out, now=MINI_NOW)
    files = every_file(out)
    assert not [p for p in files if "dader" in p]
    assert not [p for p, data in files.items() if b"dader" in data]
    for path, data in files.items():
        if path.endswith((".png", ".jpg")):
            with Image.open(io.BytesIO(data)) as image:
                colours = image.convert("RGB").getcolors(1 << 16) or []
                assert (255, 0, 255) not in {c for _, c in colours}, path


def test_output_bytes_are_the_same_every_time(leaky_site: Path, tmp_path: Path):
    build(leaky_site, tmp_path / "a", now=MINI_NOW, cache=False)
    build(leaky_site, tmp_path / "b", now=MINI_NOW, cache=False)
    first, second = every_file(tmp_path / "a"), every_file(tmp_path / "b")
    assert first == second


def test_an_unchanged_picture_is_not_processed_again(leaky_site: Path, tmp_path: Path, monkeypatch):
    from binsite.source import media

    build(leaky_site, tmp_path / "a", now=MINI_NOW)
    calls: list[str] = []
    original = media.process_image
    monkeypatch.setattr(media, "process_image", lambda data, variant: calls.append(variant) or original(data, variant))
    add_body(leaky_site, "Een zin erbij.")
    build(leaky_site, tmp_path / "a", now=MINI_NOW)
    build(leaky_site, tmp_path / "elsewhere", now=MINI_NOW)  # another folder: from the cache of processed files
    assert calls == []
    put(leaky_site, "straat.png", leaky_png(40, 20))
    build(leaky_site, tmp_path / "a", now=MINI_NOW)
    assert sorted(calls) == ["large", "web"]  # the probe's web size is kept and reused by the build


def problems_of(root: Path) -> list[str]:
    return [p.format("en") for p in load_site(root, MINI_NOW).problems]


def line_of(root: Path, text: str, rel: str = BULLETIN) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_check_reports_each_mistake_at_its_file_and_line(mini_root: Path):
    add_body(mini_root, "Eerst tekst.\n\n![](zonder-alt.png)\n\n![Ontbreekt](weg.jpg)\n\n"
                        "![Een PDF als plaatje](brief.pdf)\n\n![Vermomd](vermomd.jpg)\n\n![Nep](nep.png)\n\n"
                        "[submap](sub/x.pdf)")
    put(mini_root, "zonder-alt.png", leaky_png())
    put(mini_root, "brief.pdf", leaky_pdf())
    put(mini_root, "vermomd.jpg", leaky_png())               # a PNG under a .jpg name
    put(mini_root, "nep.png", b"GIF89a" + b"\x00" * 64)       # not a type binsite takes
    put(mini_root, "vergeten.jpg", leaky_jpeg())              # referred to by nobody
    put(mini_root, "met spatie.jpg", leaky_jpeg())            # a name that cannot be referred to safely
    put(mini_root, "sub/x.pdf", leaky_pdf())                  # no subfolders
    found = problems_of(mini_root)
    b = BULLETIN
    expected = [
        f"{b}:{line_of(mini_root, 'zonder-alt.png')}: error: image zonder-alt.png has no alt text",
        f"{b}:{line_of(mini_root, 'weg.jpg')}: error: file 'weg.jpg' not found: put it in the folder {FOLDER}/",
        f"{b}:{line_of(mini_root, '(brief.pdf)')}: error: brief.pdf is a PDF and cannot be shown as an image",
        f"{FOLDER}/vermomd.jpg: error: the name says .jpg, but the file is a PNG",
        f"{FOLDER}/nep.png: error: this file is not a JPEG, PNG, WebP or PDF (judged by its content",
        f"{FOLDER}/vergeten.jpg: error: no bulletin refers to this file",
        f"{FOLDER}/met spatie.jpg: error: an attachment sits directly in {FOLDER}/ and has a name",
        f"{FOLDER}/sub/x.pdf: error: an attachment sits directly in {FOLDER}/",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)


def test_size_limits_of_a_file_and_of_the_mail_come_from_the_settings(mini_root: Path):
    add_body(mini_root, "![Een grote foto](groot.jpg)\n\n[De brief](brief.pdf)")
    put(mini_root, "groot.jpg", leaky_jpeg(1200, 800))
    put(mini_root, "brief.pdf", leaky_pdf())
    config = mini_root / "binsite.yaml"
    config.write_text(config.read_text() + "media:\n  max_file_mb: 0.01\n  max_mail_mb: 0.02\n")
    found = problems_of(mini_root)
    size = (mini_root / FOLDER / "groot.jpg").stat().st_size
    assert size > 10_000
    assert f"{FOLDER}/groot.jpg: error: the file is {size / 1e6:.1f} MB, over the limit of 0.01 MB" \
           " (media.max_file_mb in binsite.yaml); make it smaller" in found
    assert not any(p.startswith(f"{FOLDER}/brief.pdf") for p in found)
    config.write_text(config.read_text().replace("max_file_mb: 0.01", "max_file_mb: 10"))
    found = problems_of(mini_root)
    assert any(p.startswith(f"{BULLETIN}:1: error: this bulletin's e-mail would be about") and "0.02 MB" in p
               for p in found), found
    config.write_text(config.read_text().replace("max_mail_mb: 0.02", "max_mail_mb: nul"))
    assert any(p.startswith("binsite.yaml:") and "'media.max_mail_mb' must be a number of megabytes" in p
               for p in problems_of(mini_root))


def test_a_photo_asks_for_a_human_check_until_it_is_recorded(mini_root: Path):
    add_body(mini_root, "![De lantaarnpaal](paal.jpg)")
    put(mini_root, "paal.jpg", leaky_jpeg())
    note = f"{BULLETIN}:{line_of(mini_root, 'paal.jpg')}: note: this bulletin has a picture: check that no face, " \
           "licence plate"
    assert any(p.startswith(note) for p in problems_of(mini_root))
    path = mini_root / BULLETIN
    path.write_text(path.read_text().replace("\n---\n", "\nprivacy: {photos_checked: true}\n---\n", 1))
    assert not [p for p in problems_of(mini_root) if "has a picture" in p]
    path.write_text(path.read_text().replace("photos_checked: true", "photos_checked: ja"))
    assert any("'privacy.photos_checked' must be true or false" in p for p in problems_of(mini_root))


def test_a_bad_file_stops_the_build_and_nothing_is_written(leaky_site: Path, tmp_path: Path):
    put(leaky_site, "kapot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    add_body(leaky_site, "![Kapot](kapot.png)")
    with pytest.raises(InvalidSite) as caught:
        build(leaky_site, tmp_path / "out", now=MINI_NOW)
    assert any(p.path == f"{FOLDER}/kapot.png" and "damaged" in p.message.en for p in caught.value.problems)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_picture_bomb_is_refused_before_it_is_decoded(mini_root: Path):
    # A PNG header claiming 20000 x 20000 pixels: refused by its size, never decoded.
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    put(mini_root, "bom.png", bomb)
    add_body(mini_root, "![Bom](bom.png)")
    assert any(p.startswith(f"{FOLDER}/bom.png: error: the image has more than 50 million pixels")
               for p in problems_of(mini_root))


def test_a_notice_carries_pictures_too(mini_root: Path, tmp_path: Path):
    notice = "content/notices/2026-11-02-donkere-dagen.md"
    add_body(mini_root, "![Kaart van de wijk](kaart.png)", rel=notice)
    put(mini_root, "kaart.png", leaky_png(), folder="content/notices/2026-11-02-donkere-dagen")
    build(mini_root, tmp_path / "out", now=MINI_NOW)
    assert (tmp_path / "out/mededelingen/2026-11-02-donkere-dagen/kaart.png").is_file()
    assert (tmp_path / "out/mededelingen/2026-11-02-donkere-dagen/groot/kaart.png").is_file()


def test_removing_a_picture_and_its_reference_removes_it_from_the_site(leaky_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(leaky_site, out, now=MINI_NOW)
    assert (out / PAGE / "straat.png").is_file()
    (leaky_site / FOLDER / "straat.png").unlink()
    path = leaky_site / BULLETIN
    path.write_text(path.read_text().replace("![Plattegrond van de straat](straat.png)", ""))
    build(leaky_site, out, now=MINI_NOW)
    assert not (out / PAGE / "straat.png").exists() and not (out / PAGE / "groot/straat.png").exists()
    shutil.rmtree(leaky_site / FOLDER)
    write(path, path.read_text().split("![Een kapotte")[0])
    build(leaky_site, out, now=MINI_NOW)
    assert sorted(p.name for p in (out / PAGE).iterdir()) == ["index.html"]


def test_the_cache_of_processed_files_forgets_pictures_nobody_has_any_more(leaky_site: Path, tmp_path: Path):
    from binsite.paths import CACHE_DIR

    build(leaky_site, tmp_path / "out", now=MINI_NOW)
    kept = leaky_site / CACHE_DIR / "media"
    before = sorted(p.name for p in kept.iterdir())
    # Web and large of paal, straat, bord and the fixture's lamp, two PDFs, and the
    # web size of the members-only picture (for the mail; never in the site).
    assert len(before) == 4 * 2 + 2 + 1
    assert len([n for n in before if n.endswith("-large")]) == 4
    put(leaky_site, "straat.png", leaky_png(41, 21))
    build(leaky_site, tmp_path / "out", now=MINI_NOW)
    after = sorted(p.name for p in kept.iterdir())
    assert len(after) == len(before) and len(set(after) - set(before)) == 2


def test_a_picture_swapped_after_sending_makes_the_bulletin_changed(leaky_site: Path):
    """Readers received the old picture: the new one is a correction, held
    back until asked for, like an edited text."""
    from binsite.mailing.ledger import Ledger, LedgerEntry
    from binsite.mailing.plan import plan_sends

    def plan_after(ledger: Ledger):
        site = load_site(leaky_site, MINI_NOW).site
        return site, plan_sends(site, ledger, MINI_NOW, include_older=True)

    site, plan = plan_after(Ledger())
    sent = tuple(LedgerEntry(m.bulletin.id, m.target.list, f"<{i}@x>", m.bulletin.content_hash, "2026-11-10T12:00:00+01:00")
                 for i, m in enumerate(plan.messages))
    bulletin_id = "zuid/2026-11-04-straatverlichting"
    assert any(m.bulletin.id == bulletin_id for m in plan.messages)
    assert plan_after(Ledger(sent))[1].messages == ()
    put(leaky_site, "dader.png", leaky_png(64, 48))          # members-only: only the mail carried it
    _, plan = plan_after(Ledger(sent))
    # (an urgent bulletin: held for its members list and its weekly list alike)
    assert plan.messages == () and {h.bulletin.id for h in plan.changed} == {bulletin_id}
    assert {h.target.kind for h in plan.changed} == {"members", "weekly"}


@pytest.mark.parametrize("src", ["../2026-10-20-vergadering/geheim.jpg", "%2e%2e/geheim.jpg", "/geheim.jpg",
                                 "./geheim.jpg", "GEHEIM.JPG", "geheim.jpg?x=1", "geheim.jpg#top"])
def test_a_file_outside_the_folder_or_under_another_name_is_an_error_and_never_read(mini_root: Path, tmp_path: Path,
                                                                                    src: str):
    put(mini_root, "geheim.jpg", leaky_jpeg(), folder="content/zuid/2026-10-20-vergadering")
    add_body(mini_root, "![Geheim](geheim.jpg)", rel="content/zuid/2026-10-20-vergadering.md")
    add_body(mini_root, f"![Een plaatje]({src})")
    found = [p for p in load_site(mini_root, MINI_NOW).problems if p.path == BULLETIN and p.is_error]
    assert [p.line for p in found] == [line_of(mini_root, "Een plaatje")], found
    assert "not found" in found[0].message.en


def test_a_symbolic_link_beside_a_bulletin_is_refused(mini_root: Path, tmp_path: Path):
    outside = tmp_path / "elders.jpg"
    outside.write_bytes(leaky_jpeg())
    (mini_root / FOLDER).mkdir(parents=True)
    (mini_root / FOLDER / "link.jpg").symlink_to(outside)
    add_body(mini_root, "![Een plaatje](link.jpg)")
    found = load_site(mini_root, MINI_NOW).problems
    assert any(p.path == f"{FOLDER}/link.jpg" and p.is_error and "symbolic link" in p.message.en for p in found), found
    with pytest.raises(InvalidSite):
        build(mini_root, tmp_path / "out", now=MINI_NOW)


def test_the_mail_carries_the_mail_renditions_files_inline_and_attached(leaky_site: Path):
    """Composed (pure): pictures in multipart/related beside the HTML, each
    by its Content-ID; the PDF attached; the text part names them all."""
    from binsite.mailing.compose import compose
    from binsite.mailing.plan import PlannedMessage, targets
    from binsite.source.media import mail_files

    result = load_site(leaky_site, MINI_NOW)
    site, bulletin_id = result.site, "zuid/2026-11-04-straatverlichting"
    bulletin = site.bulletin(bulletin_id)
    body = result.bodies.get(result.analyses[bulletin_id].body_key)
    files = mail_files(site.root, bulletin, body, site.config.mail.domain)
    assert [f.name for f in files] == ["paal.jpg", "straat.png", "bord.webp", "brief.pdf", "dader.png"]
    message = compose(PlannedMessage(bulletin, targets(bulletin, site)[0]), site, body=body, media=files)
    assert message.get_content_type() == "multipart/mixed"
    [alternative, attachment] = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative" and attachment.get_filename() == "brief.pdf"
    text, related = alternative.iter_parts()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.iter_parts()
    assert [p.get_filename() for p in images] == ["paal.jpg", "straat.png", "bord.webp", "dader.png"]
    source = html.get_content()
    for part in images:
        assert source.count(f'src="cid:{part["Content-ID"].strip("<>")}"') == 1
    assert 'href="groot/' not in source and 'src="paal.jpg"' not in source
    assert "brief.pdf" in text.get_content() and "dader.png: Foto van de dader" in text.get_content()
    assert [s for s in SECRETS if s in bytes(message)] == []


@pytest.mark.parametrize("passage", [
    "Tekst direct ervoor.\n::: leden\n![Foto van de dader](dader.png)\n:::",
    "- een punt\n\n  ::: leden\n  ![Foto van de dader](dader.png)\n  :::",
    "> ::: leden\n> ![Foto van de dader](dader.png)\n> :::",
    "<div>\n::: leden\n</div>\n\n![Foto van de dader](dader.png)\n\n:::",
])
def test_a_members_only_image_stays_out_of_the_site_however_the_passage_is_written(mini_root: Path, tmp_path: Path,
                                                                                   passage: str):
    """The one parser decides (markup.find_passages); the site copies only what its rendition shows."""
    add_body(mini_root, passage)
    put(mini_root, "dader.png", members_image())
    result = load_site(mini_root, MINI_NOW)
    if result.errors:  # a passage the parser refuses stops everything: nothing is published
        with pytest.raises(InvalidSite):
            build(mini_root, tmp_path / "out", now=MINI_NOW)
        return
    analysis = result.analyses["zuid/2026-11-04-straatverlichting"]
    assert analysis.public_media == () and analysis.mail_media == ("dader.png",)
    build(mini_root, tmp_path / "out", now=MINI_NOW)
    assert not [p for p in every_file(tmp_path / "out") if "dader" in p]
