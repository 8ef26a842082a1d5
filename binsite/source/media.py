"""Pictures and documents beside a bulletin, without what they say about
where and by whom they were made.

Layout: the files of ``content/<area>/<stem>.md`` live in the folder
``content/<area>/<stem>/`` beside it (notices alike, in ``content/notices/``),
and the body refers to them by name: ``![alt text](foto.jpg)``,
``[de brief](brief.pdf)``. The type is judged by the bytes (JPEG, PNG, WebP,
PDF), not by the extension.

What leaves binsite is always made anew from the pixels or the document:

* images: the orientation applied to the pixels (``ImageOps.exif_transpose``),
  colours converted to sRGB when the file has an ICC profile, then a new
  image is made from the bare pixels, so no EXIF (GPS, camera serial, owner),
  XMP, IPTC, ICC profile, comment or PNG text chunk can come along. Two
  sizes: ``<name>`` for the page and the mail (at most ``WEB_SIZE`` px on its
  long side) and ``groot/<name>`` (at most ``LARGE_SIZE`` px), linked from it.
* PDFs: rewritten by pypdf (pure Python, maintained, BSD; pikepdf would need
  qpdf, a C++ library, for the same job) without the document information
  dictionary and without XMP metadata streams, with a file identifier made
  from the content, so the same PDF always gives the same bytes.

The Markdown side is a treeprocessor (``binsite.render.media_tree.MediaExtension``,
apart so that planning a build never loads Markdown) that reads the
element tree of each rendition: the public rendition holds no members-only
element at all, so the images and documents it refers to are exactly what
the site may publish; the mail rendition's are what the mail carries.

Processing is pure (bytes in, bytes out, the same bytes every time); the
processed files are kept in ``.binsite/cache/media/`` under the digest of the
original, so an unchanged picture is processed once.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from binsite.errors import Problem, error, note
from binsite.i18n import Text, t

# Bump when processing changes its output bytes.
MEDIA_VERSION = 1
WEB_SIZE = 1024
LARGE_SIZE = 2048
LARGE_DIR = "groot"
# Larger images are refused before they are decoded: bounded time and memory.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = {"web": 82, "large": 88}
WEBP_QUALITY = {"web": 80, "large": 86}

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MIME = {**IMAGE_FORMATS, "PDF": "application/pdf"}
EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".pdf": "PDF"}
# A name that is safe in a URL, a MIME header and a file system, as it stands.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.[A-Za-z0-9]+$")
# A reference to a file of the bulletin: no scheme, no host.
HAS_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """The format the bytes are, whatever the file is called."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:1024].lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return "PDF"
    return None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One file beside a bulletin, as probed (the probe is cached by digest)."""

    name: str                  # as referred to in the body
    rel: str                   # path relative to the site root
    digest: str                # of the original bytes
    kind: str                  # "image" | "pdf" | "" (unusable: see problem)
    format: str                # JPEG | PNG | WEBP | PDF
    size: int                  # bytes of the original
    width: int = 0             # of the web size, orientation applied
    height: int = 0
    mail_size: int = 0         # bytes of what the mail carries (web size, cleaned PDF)
    problem: Text | None = None
    pages: tuple[str, ...] = ()  # a PDF's text, page by page, as published (read by the privacy guard)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def mime(self) -> str:
        return MIME[self.format]


def fit(width: int, height: int, bound: int) -> tuple[int, int]:
    """``(width, height)`` scaled to at most ``bound`` on the long side; never enlarged."""
    longest = max(width, height)
    if longest <= bound:
        return width, height
    if width >= height:
        return bound, max(1, round(height * bound / width))
    return max(1, round(width * bound / height)), bound


# --- Processing (pure) -----------------------------------------------------

def _clean_pixels(data: bytes, max_pixels: int = MAX_PIXELS):
    """The picture as a new Pillow image: orientation applied, in sRGB,
    nothing but pixels (an image made from bytes carries no info at all).
    More than ``max_pixels`` is refused from the header, before decoding."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise ValueError("too-large") from None
    with opened:
        if opened.width * opened.height > max_pixels:
            raise ValueError("too-large")
        opened.load()
        try:
            image = ImageOps.exif_transpose(opened) or opened
        except Exception:  # unreadable EXIF: the orientation is unknown, the pixels stay as stored
            image = opened
        icc = image.info.get("icc_profile")
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L", "I;16", "I") else "RGB")
        if image.mode == "I;16" or image.mode == "I":
            image = image.point(lambda v: v / 256)
        image = image.convert(mode)
        if icc and mode in ("RGB", "RGBA"):
            try:
                from PIL import ImageCms

                image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                                  ImageCms.createProfile("sRGB"), outputMode=mode)
            except Exception:  # an unreadable profile: the pixels as they are
                pass
        return Image.frombytes(mode, image.size, image.tobytes())


def process_image(data: bytes, variant: str, *, max_pixels: int = MAX_PIXELS) -> bytes:
    """The ``web`` or ``large`` version of an image, in its own format, without metadata."""
    from PIL import Image

    fmt = sniff(data)
    if fmt not in IMAGE_FORMATS:
        raise ValueError("not-an-image")
    image = _clean_pixels(data, max_pixels)
    size = fit(image.width, image.height, WEB_SIZE if variant == "web" else LARGE_SIZE)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode == "RGBA":
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY[variant], optimize=True, progressive=False)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=False, compress_level=9)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY[variant], method=4, exact=False)
    return out.getvalue()


def clean_pdf(data: bytes) -> bytes:
    """The PDF without its document information (author, producer, creator,
    dates) and XMP metadata, the same bytes for the same input."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    writer = PdfWriter(clone_from=reader)
    for holder in (writer._root_object, *(page for page in writer.pages)):
        for key in ("/Metadata", "/PieceInfo"):
            if key in holder:
                del holder[key]
    # What no reference reaches any more (the old XMP stream) is not written.
    writer.compress_identical_objects(remove_identicals=False, remove_orphans=True)
    writer._info = None  # no /Info dictionary in the trailer at all
    # An identifier from the content, not from the clock or chance.
    body = io.BytesIO()
    writer._ID = None
    writer.write(body)
    ident = ByteStringObject(hashlib.md5(body.getvalue()).digest())
    writer._ID = ArrayObject([ident, ident])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Bump when what ``probe`` records changes (cached probes of other versions are made anew).
PROBE_VERSION = 2
# At most this much text of one PDF is read for the guard; a PDF with more is refused.
MAX_PDF_TEXT = 4_000_000


def probe_key(digest: str) -> str:
    """The key of a file's probe in the build cache."""
    return f"p{PROBE_VERSION}-{digest}"


def pdf_pages(data: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF as a reader's PDF viewer extracts it
    (pypdf's text extraction), for the privacy guard. Text inside pictures
    in the PDF is not read (no OCR)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        total += len(text)
        if total > MAX_PDF_TEXT:
            raise ValueError("too much text")
        pages.append(text)
    return tuple(pages)


def probe(data: bytes, store: "MediaStore | None" = None) -> MediaFile:
    """What a file is, checked by reading it whole (name and rel left empty).
    What it makes on the way (the web size, the cleaned PDF) goes to ``store``."""
    store = store or MediaStore(None)
    digest = hashlib.sha256(data).hexdigest()[:32]
    fmt = sniff(data)
    base = MediaFile("", "", digest, "", fmt or "", len(data))
    if fmt is None:
        return replace(base, problem=t(
            "dit bestand is geen JPEG, PNG, WebP of PDF (gekeken naar de inhoud, niet naar de naam); "
            "sla een foto op als JPEG of PNG, een document als PDF",
            "this file is not a JPEG, PNG, WebP or PDF (judged by its content, not its name); "
            "save a photo as JPEG or PNG, a document as PDF"))
    if fmt == "PDF":
        try:
            cleaned = store.output(data, digest, "pdf")
        except Exception as exc:
            reason = "encrypted" if str(exc) == "encrypted" else "broken"
            return replace(base, problem=t(
                "de PDF is beveiligd met een wachtwoord; sla hem op zonder beveiliging" if reason == "encrypted"
                else "de PDF is beschadigd en kan niet gelezen worden; sla hem opnieuw op als PDF",
                "the PDF is protected with a password; save it without protection" if reason == "encrypted"
                else "the PDF is damaged and cannot be read; save it again as PDF"))
        try:
            pages = pdf_pages(cleaned)
        except Exception:
            return replace(base, problem=t(
                "de tekst van de PDF kan niet gelezen worden (en dus niet op persoonsgegevens gecontroleerd); "
                "sla hem opnieuw op als PDF",
                "the PDF's text cannot be read (so it cannot be checked for personal data); save it again as PDF"))
        return replace(base, kind="pdf", mail_size=len(cleaned), pages=pages)
    try:
        web = store.output(data, digest, "web")
        from PIL import Image

        with Image.open(io.BytesIO(web)) as image:
            width, height = image.size
    except Exception as exc:
        if str(exc) == "too-large":
            return replace(base, problem=t(
                "de afbeelding is meer dan {n} miljoen pixels; verklein hem eerst",
                "the image has more than {n} million pixels; make it smaller first", n=MAX_PIXELS // 1_000_000))
        return replace(base, problem=t(
            "de afbeelding is beschadigd en kan niet gelezen worden; sla hem opnieuw op",
            "the image is damaged and cannot be read; save it again"))
    return replace(base, kind="image", width=width, height=height, mail_size=len(web))


# --- The cache of processed files (I/O) ------------------------------------

class MediaStore:
    """Processed files by the digest of their original: in ``folder``
    (``.binsite/cache/media``), or in memory when there is none."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._memory: dict[str, bytes] = {}

    @staticmethod
    def key(digest: str, variant: str) -> str:
        return f"v{MEDIA_VERSION}-{digest}-{variant}"

    def output(self, data: bytes, digest: str, variant: str) -> bytes:
        """``variant`` ("web", "large", "pdf") of ``data``, processed once."""
        key = self.key(digest, variant)
        if key in self._memory:
            return self._memory[key]
        path = self.folder / key if self.folder is not None else None
        if path is not None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                pass
        result = clean_pdf(data) if variant == "pdf" else process_image(data, variant)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".media.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(result)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        else:
            self._memory[key] = result
        return result


def store_named(folder: str) -> MediaStore:
    """The store of processed files in ``folder`` ("": this process's memory), one per process."""
    store = _STORES.get(folder)
    if store is None:
        store = _STORES[folder] = MediaStore(Path(folder) if folder else None)
    return store


def read_output(root: str, rel: str, digest: str, variant: str, store_folder: str) -> bytes:
    """One output file of a media file (a build job: reads the original,
    checks it is still the one that was checked, processes it once)."""
    with open(os.path.join(root, rel), "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest()[:32] != digest:
        from binsite.errors import BinsiteError

        raise BinsiteError(t("{p} veranderde tijdens het bouwen; bouw opnieuw", "{p} changed during the build; build again",
                             p=rel))
    return store_named(store_folder).output(data, digest, variant)


_STORES: dict[str, MediaStore] = {}


def media_folder(bulletin_rel: str) -> str:
    """``content/a/2026-10-03-x.md`` -> ``content/a/2026-10-03-x``."""
    return bulletin_rel[:-3]


# --- The Markdown side -----------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ref:
    """One reference in a rendition: an image (``img``) or a link (``a``) to a file."""

    tag: str
    name: str
    alt: str = ""


# --- Checks (pure) ---------------------------------------------------------

def link_line(name: str, body: str, body_line: int) -> int:
    """The line of the body where ``name`` is referred to first."""
    for index, line in enumerate(body.split("\n")):
        if f"({name}" in line or f"]: {name}" in line or name in line:
            return body_line + index
    return body_line


def check_media(bulletin, media: tuple[MediaFile, ...], mail_refs: tuple[Ref, ...], *, body: str, max_file: int,
                max_mail: int, mail_base: int, folder_problems: tuple[Problem, ...] = ()) -> list[Problem]:
    """Every problem with a bulletin's files (``body``: its Markdown): missing, without alt text, too
    large, of the wrong type, referred to by nobody; the mail too large; and
    the note that a person must look at the photos."""
    problems = list(folder_problems)
    rel = bulletin.source
    folder = media_folder(rel)
    by_name = {m.name: m for m in media}
    used: set[str] = set()
    reported: set[tuple[str, str]] = set()
    for ref in mail_refs:
        line = link_line(ref.name, body, bulletin.body_line)
        found = by_name.get(ref.name)
        used.add(ref.name)
        if (ref.tag, ref.name) in reported:
            continue
        reported.add((ref.tag, ref.name))
        if found is None:
            problems.append(error(rel, line, t(
                "bestand {n!r} niet gevonden: zet het in de map {f}/ naast het bericht en verwijs ernaar met "
                "alleen de naam, zoals ![beschrijving](foto.jpg)",
                "file {n!r} not found: put it in the folder {f}/ beside the bulletin and refer to it by its name "
                "alone, such as ![description](photo.jpg)", n=ref.name, f=folder), code="media"))
            continue
        if ref.tag == "img" and found.kind == "pdf":
            problems.append(error(rel, line, t(
                "{n} is een PDF en kan niet als afbeelding getoond worden; schrijf [omschrijving]({n})",
                "{n} is a PDF and cannot be shown as an image; write [description]({n})", n=ref.name), code="media"))
        if ref.tag == "img" and not ref.alt:
            problems.append(error(rel, line, t(
                "afbeelding {n} heeft geen beschrijving: schrijf tussen de haken wat erop staat, "
                "zoals ![Kaart van de omleiding]({n}), voor wie de afbeelding niet ziet",
                "image {n} has no alt text: write what it shows between the brackets, "
                "such as ![Map of the diversion]({n}), for readers who cannot see it", n=ref.name), code="media"))
    for item in media:
        if item.problem is not None:
            problems.append(error(item.rel, None, item.problem, code="media"))
        elif EXTENSIONS.get(os.path.splitext(item.name)[1].lower()) != item.format:
            problems.append(error(item.rel, None, t(
                "de naam zegt {e}, maar het bestand is een {f}; geef het de juiste extensie, zoals .{x}",
                "the name says {e}, but the file is a {f}; give it the right extension, such as .{x}",
                e=os.path.splitext(item.name)[1] or "(geen extensie)", f=item.format,
                x={"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "PDF": "pdf"}[item.format]), code="media"))
        if item.problem is None and item.size > max_file:
            problems.append(error(item.rel, None, too_large(item.size, max_file), code="media"))
        if item.name not in used:
            problems.append(error(item.rel, None, t(
                "geen bericht verwijst naar dit bestand; verwijs ernaar in {b} (![beschrijving]({n}) of "
                "[omschrijving]({n})) of haal het weg",
                "no bulletin refers to this file; refer to it in {b} (![description]({n}) or "
                "[description]({n})) or remove it", b=rel, n=item.name), code="media"))
    needed = mail_size(mail_base, [by_name[n] for n in dict.fromkeys(r.name for r in mail_refs) if n in by_name])
    if needed > max_mail:
        problems.append(error(rel, 1, t(
            "de e-mail van dit bericht wordt ongeveer {s} MB, meer dan de grens van {m} MB (media.max_mail_mb in "
            "binsite.yaml, ook de grens die lists sync in Mailman zet); gebruik minder of kleinere bestanden",
            "this bulletin's e-mail would be about {s} MB, over the limit of {m} MB (media.max_mail_mb in "
            "binsite.yaml, also the limit lists sync sets in Mailman); use fewer or smaller files",
            s=f"{needed / 1e6:.1f}", m=f"{max_mail / 1e6:g}"), code="media"))
    if any(r.tag == "img" for r in mail_refs) and not bulletin.photos_checked:
        problems.append(note(rel, bulletin.line_of("privacy") if "privacy" in dict(bulletin.key_lines)
                             else link_line(next(r.name for r in mail_refs if r.tag == "img"), body, bulletin.body_line),
                             t("dit bericht heeft een afbeelding: kijk of er geen gezicht, kenteken, huisnummer of naam op "
                               "te herkennen is, en zet dan in de front matter 'privacy: {{photos_checked: true}}'",
                               "this bulletin has a picture: check that no face, licence plate, house number or name "
                               "can be recognised on it, then put 'privacy: {{photos_checked: true}}' in the front "
                               "matter"), code="photos"))
    return problems


def too_large(size: int, max_file: int) -> Text:
    return t("het bestand is {s} MB, meer dan de grens van {m} MB (media.max_file_mb in binsite.yaml); verklein het",
             "the file is {s} MB, over the limit of {m} MB (media.max_file_mb in binsite.yaml); make it smaller",
             s=f"{size / 1e6:.1f}", m=f"{max_file / 1e6:g}")


# Headers, the text and HTML parts and the MIME structure around the files.
MAIL_OVERHEAD = 16_384


def mail_size(base: int, files: list[MediaFile]) -> int:
    """What the mail of a bulletin weighs on the wire: its text twice (plain
    and HTML, quoted-printable), each file in base64 (4/3, with line ends)."""
    return MAIL_OVERHEAD + 3 * base + sum((m.mail_size + 2) // 3 * 4 * 78 // 76 + 400 for m in files)


def media_key(media: tuple[MediaFile, ...]) -> str:
    """What of the folder the rendering depends on."""
    return hashlib.sha256(repr([(m.name, m.digest, MEDIA_VERSION) for m in media]).encode()).hexdigest()[:16]


def with_media(content_hash: str, digests: tuple[str, ...]) -> str:
    """A bulletin's ``content_hash`` that covers the files its mail carries too."""
    return hashlib.sha256("|".join((content_hash, *digests)).encode()).hexdigest()[:16]


def absolute_media(html_text: str, media: tuple[MediaFile, ...], page_url: str) -> str:
    """``html_text`` (binsite's sanitised output) with each file's address made
    absolute under ``page_url``, the page the files sit beside."""
    for item in media:
        for attribute in ("src", "href"):
            for target in (item.name, f"{LARGE_DIR}/{item.name}"):
                html_text = html_text.replace(f'{attribute}="{target}"', f'{attribute}="{page_url}{target}"')
    return html_text


# --- The mail side ---------------------------------------------------------

@dataclass(frozen=True)
class MailFile:
    """One file a bulletin's mail carries: an inline image or an attached PDF."""

    name: str
    mime: str
    data: bytes
    cid: str                   # Content-ID without the angle brackets
    alt: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def mail_files(root: Path, bulletin, body, domain: str) -> tuple[MailFile, ...]:
    """The files the mail rendition of ``body`` refers to, processed as for
    the site (I/O: reads them from the bulletin's folder, processes each once)."""
    store = store_named(str(root / ".binsite" / "cache" / "media"))
    folder = root / media_folder(bulletin.source)
    alts: dict[str, str] = {}
    for ref in body.mail_media:
        if ref.tag == "img" and ref.alt:
            alts.setdefault(ref.name, ref.alt)
    files = []
    for name in dict.fromkeys(r.name for r in body.mail_media):
        if not NAME.match(name):  # checked before any send; never a path out of the folder
            continue
        data = (folder / name).read_bytes()
        fmt = sniff(data)
        if fmt is None:
            continue
        digest = hashlib.sha256(data).hexdigest()[:32]
        output = store.output(data, digest, "pdf" if fmt == "PDF" else "web")
        files.append(MailFile(name, MIME[fmt], output, f"{digest[:16]}.{name}@{domain}", alts.get(name, "")))
    return tuple(files)


def mail_html(html_text: str, files: tuple[MailFile, ...]) -> str:
    """The mail's HTML with each file referred to by its Content-ID. The
    HTML is binsite's own sanitised output, where every attribute is written
    ``name="value"`` and file names hold no character that needs escaping."""
    for item in files:
        if item.is_image:
            html_text = html_text.replace(f'src="{item.name}"',
                                          f'src="cid:{item.cid}" style="max-width:100%;height:auto;"')
            html_text = html_text.replace(f'href="{LARGE_DIR}/{item.name}"', f'href="cid:{item.cid}"')
        else:
            html_text = html_text.replace(f'href="{item.name}"', f'href="cid:{item.cid}"')
    return html_text


def mail_text_list(files: tuple[MailFile, ...], lang: str) -> str:
    """For the text part: what the pictures show and which files are attached."""
    images = [f for f in files if f.is_image]
    documents = [f for f in files if not f.is_image]
    lines: list[str] = []
    if images:
        lines.append(t("Afbeeldingen in dit bericht (in de HTML-versie):", "Images in this bulletin (in the HTML version):").get(lang))
        lines += [f"- {f.name}: {f.alt}" if f.alt else f"- {f.name}" for f in images]
    if documents:
        if lines:
            lines.append("")
        lines.append(t("Bijlagen:", "Attachments:").get(lang))
        lines += [f"- {f.name}" for f in documents]
    return "\n".join(lines) + "\n" if lines else ""
