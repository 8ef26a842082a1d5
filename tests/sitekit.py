"""The tests' one scratch-site kit: fixture copies, file writing, the
fixture clock, small sites in tmp_path (``write_site``, ``area``,
``bulletin_text``, ``write_bulletin``), pictures and PDFs that carry what must
never be published (``leaky_jpeg`` and friends, ``SECRETS``), and the one
waiting loop (``poll``). The Mailman session is in ``tests/mailman_fixtures.py``,
the desk's Mailman helpers in ``tests/desk/deskkit.py``.

(A module of its own, not conftest.py: test folders have conftest files of
their own and ``from conftest import`` would pick the wrong one.)
"""

from __future__ import annotations

import io
import shutil
import struct
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Amsterdam")
# The moment the fixture site is built at: scheduled, expired and due are
# decided against it, so the golden tree does not depend on the real clock.
MINI_NOW = datetime(2026, 11, 10, 12, 0, tzinfo=TZ)


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def poll(condition, *, timeout: float, what: str | Callable[[], str], interval: float = 0.05, ignore: tuple = ()):
    """The first true value of ``condition()``, asked every ``interval``
    seconds; an ``AssertionError`` naming ``what`` (or what ``what()`` says
    then) after ``timeout`` seconds.
    An exception of a type in ``ignore`` counts as "not yet" (a server that
    is still starting). The one waiting loop of the tests: none sleeps a
    fixed time and hopes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except ignore:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


# --- small sites in tmp_path -------------------------------------------------

def write_site(root: Path, domain: str, areas: dict[str, dict], bulletins: dict[str, str] | None = None,
               *, send_window: str = "7 days", title: str = "BIN Proefdorp", web_url: str = "",
               language: str = "nl") -> Path:
    """A site with ``areas`` (``lists/<id>.yaml`` contents) and ``bulletins``
    (path under ``content/`` -> file text)."""
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "title": title,
        "base_url": "https://bin.test.example/archief/",
        "language": language,
        "timezone": "Europe/Amsterdam",
        "mail": {"domain": domain, "sender": f"bulletin@{domain}", "sender_name": title},
        "send_window": send_window,
    }
    if web_url:
        config["web_url"] = web_url
    (root / "binsite.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "lists").mkdir(exist_ok=True)
    for area_id, values in areas.items():
        (root / "lists" / f"{area_id}.yaml").write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False),
                                                        encoding="utf-8")
    for rel, text in (bulletins or {}).items():
        write_bulletin(root, rel, text)
    return root


def write_bulletin(root: Path, rel: str, text: str) -> Path:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bulletin_text(title: str, date: str, body: str = "Tekst van het bericht.", **front: object) -> str:
    values = {"title": title, "date": date, **front}
    return "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


def area(name: str, domain: str, area_id: str, *, partners: int = 1) -> dict:
    """An area with one BINCO and ``partners`` partners, all at ``domain``'s test addresses."""
    return {
        "name": name,
        "description": f"Het gebied {name}.",
        "coordinators": [f"binco.{area_id}@coord.{domain}"],
        "partners": [{"address": f"partner{i}.{area_id}@partners.{domain}", "role": "politie"} for i in range(1, partners + 1)],
        "join": "Mail de BINCO.",
    }


# --- pictures and PDFs that carry what must never be published --------------
# Made in the test: GPS, a camera serial and an owner in EXIF, XMP and IPTC, a
# comment, an orientation; and PDFs with an author and producer.

# Strings that must appear in no output file and no delivered mail.
SECRETS = (b"Jan Geheimhouder", b"SN-CAM-90210-XQ", b"GeheimeStraat", b"Lens-Serial-7734",
           b"Kommentaar-Verborgen", b"PDF-Auteur-Anouk", b"PDF-Maker-Suite", b"XMP-Maker-Tool")
# 51.7 N, 5.3 E (degrees, minutes, seconds), a place the photo must not reveal.
GPS_LATITUDE = (51.0, 41.0, 30.09)


def _xmp_segment() -> bytes:
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
              b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
              b'xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
              b'aux:SerialNumber="SN-CAM-90210-XQ" xmp:CreatorTool="XMP-Maker-Tool">'
              b'<dc:creator><rdf:Seq><rdf:li>Jan Geheimhouder</rdf:li></rdf:Seq></dc:creator>'
              b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _iptc_segment() -> bytes:
    def dataset(number: int, value: bytes) -> bytes:
        return b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value

    iptc = dataset(80, b"Jan Geheimhouder") + dataset(92, b"GeheimeStraat 12") + dataset(90, b"Den Bosch")
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    if len(iptc) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def _comment_segment() -> bytes:
    payload = b"Kommentaar-Verborgen GeheimeStraat"
    return b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload


def leaky_jpeg(width: int = 60, height: int = 40, *, orientation: int = 6) -> bytes:
    """A JPEG whose stored pixels are red on the left half and blue on the
    right, with EXIF (GPS, serial, owner, orientation), XMP, IPTC and a comment.
    With orientation 6 a viewer turns it 90° clockwise: red on top."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = "Jan Geheimhouder"          # Artist
    exif[0x8298] = "Jan Geheimhouder"          # Copyright
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "SN-CAM-90210-XQ model"
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0xA431] = "SN-CAM-90210-XQ"       # BodySerialNumber
    exif_ifd[0xA435] = "Lens-Serial-7734"      # LensSerialNumber
    exif_ifd[0xA430] = "Jan Geheimhouder"      # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (5.0, 18.0, 12.0)
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95, icc_profile=profile)
    data = out.getvalue()
    # After SOI (and Pillow's APP0/APP1): XMP, IPTC and a comment, by hand.
    return data[:2] + _xmp_segment() + _iptc_segment() + _comment_segment() + data[2:]


def leaky_png(width: int = 30, height: int = 20) -> bytes:
    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", (width, height), (0, 128, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jan Geheimhouder")
    info.add_itxt("XML:com.adobe.xmp", "<x>SN-CAM-90210-XQ XMP-Maker-Tool</x>")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def leaky_pdf(text: str = "Wegafsluiting") -> bytes:
    """A one-page PDF with an author, producer and creator in its Info
    dictionary and an XMP stream that says the same."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    writer.add_metadata({"/Author": "PDF-Auteur-Anouk", "/Producer": "PDF-Maker-Suite",
                         "/Creator": "XMP-Maker-Tool", "/Title": text})
    xmp = DecodedStreamObject()
    xmp.set_data(b"<x:xmpmeta><dc:creator>PDF-Auteur-Anouk</dc:creator><pdf:Producer>PDF-Maker-Suite"
                 b"</pdf:Producer></x:xmpmeta>")
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(*pages: str) -> bytes:
    """A PDF with one page per text in ``pages`` (Helvetica, each line of a
    text a line on the page), whose text pypdf's extraction reads back."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    for text in pages:
        page = writer.add_blank_page(595, 842)
        lines = []
        for index, line in enumerate(text.split("\n")):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            lines.append(f"BT /F1 11 Tf 40 {800 - 14 * index} Td ({escaped}) Tj ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(lines).encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def leaky_webp(width: int = 40, height: int = 30) -> bytes:
    """A WebP with an alpha channel, EXIF (owner, serial, GPS) and XMP."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = "Jan Geheimhouder"
    exif.get_ifd(0x8769)[0xA431] = "SN-CAM-90210-XQ"
    exif.get_ifd(0x8825)[2] = GPS_LATITUDE
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 120, 40, 180)).save(
        out, "WEBP", exif=exif.tobytes(), xmp=b"<x:xmpmeta>XMP-Maker-Tool Jan Geheimhouder</x:xmpmeta>", quality=90)
    return out.getvalue()


# --- script schemes in links -------------------------------------------------------------------

# Every spelling of a script scheme a hurried or hostile writer might try: case, entities,
# whitespace and control characters inside the scheme, data:, vbscript:, in Markdown and raw HTML.
SCRIPT_SCHEME_VARIANTS = (
    "[a](javascript:alert(1))",
    "[b](JaVaScRiPt:alert(2))",
    "[c](  javascript:alert(3))",
    "[d](&#106;avascript:alert(4))",
    "[e](&#x6A;&#x61;vascript:alert(5))",
    "[f](java&#x09;script:alert(6))",
    "[g](<java\tscript:alert(7)>)",
    "[h](javascript&#58;alert(8))",
    "[i](vbscript:msgbox(9))",
    "[j](VBScript:msgbox(10))",
    "[k](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=)",
    "![l](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTIpPg==)",
    "<javascript:alert(13)>",
    "[m][ref]\n\n[ref]: javascript:alert(14)",
    '<a href="javascript:alert(15)">n</a>',
    '<a href="jav&#x09;ascript:alert(16)">o</a>',
    '<a href=" &#14; javascript:alert(17)">p</a>',
    '<a href="JAVASCRIPT&colon;alert(18)">q</a>',
    '<a href="java\nscript:alert(19)">r</a>',
    '<a href="\x01javascript:alert(20)">s</a>',
    '<img src="javascript:alert(21)" alt="t">',
    '<img src="data:image/svg+xml,<svg onload=alert(22)>" alt="u">',
    '<a href="vbscript:msgbox(23)">v</a>',
    '<svg><a xlink:href="javascript:alert(24)"><text>w</text></a></svg>',
    '<form><button formaction="javascript:alert(25)">x</button></form>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(26)">y</a>',
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background",
                             "data", "cite", "longdesc", "ping", "lowsrc", "dynsrc", "manifest", "codebase"})


def script_links(html: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, value)`` of every link or source in ``html`` that a browser would run as
    script or open as a document of its own: ``javascript:``, ``vbscript:``, ``data:`` ... after the
    browser's own reading (entities decoded, whitespace and control characters dropped, any case)."""
    from html.parser import HTMLParser

    found: list[tuple[str, str, str]] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name.lower() in _URL_ATTRIBUTES and value is not None:
                    plain = "".join(c for c in value if ord(c) > 0x20 and c != "\x7f").lower()
                    if plain.startswith(("javascript:", "vbscript:", "livescript:", "data:", "mocha:")):
                        found.append((tag, name, value))

        handle_startendtag = handle_starttag

    parser = Links(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found
