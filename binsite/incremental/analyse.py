"""Per-file work, cached and spread over the cores: parse a content file,
run the personal-data guard over it and render its Markdown.

Everything one file needs is in ``ParseContext`` (config, area ids, the
BIN's own addresses), so the result depends only on the file's bytes and
that context: it is cached under their digests and recomputed only when
either changes. Cross-file checks (follow-ups, ``areas: all``) happen after,
in ``binsite.model.site.assemble``, and are cheap.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from binsite import __version__
from binsite.source.areas import Area, list_addresses
from binsite.incremental.cache import BuildCache, serialize_body
from binsite.incremental import compact
from binsite.source.config import SiteConfig
from binsite import progress
from binsite.source.content import CONTENT_DIR, Author, Bulletin, Source, parse_bulletin, stray_files
from binsite.errors import Problem, error, warning
from binsite.incremental.fastpath import walk_files
from binsite.i18n import t
from binsite.incremental.workers import fork_map
from binsite.source.media import MediaFile, Ref, probe_key
from binsite.model.analysis import Analysis

if TYPE_CHECKING:
    from binsite.render.markup import RenderedBody

# Bump when parsing, the guard or Markdown rendering change their output.
ANALYSIS_VERSION = 5
# Below this many files to (re)analyse, a process pool costs more than it saves.
POOL_THRESHOLD = 64


@dataclass(frozen=True)
class ParseContext:
    config: SiteConfig
    area_ids: tuple[str, ...]
    allowed_addresses: tuple[str, ...]
    allowed_domains: tuple[str, ...]

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{ANALYSIS_VERSION}|{_code_digest()}|{self!r}".encode()).hexdigest()[:24]


_CODE_DIGEST: list[str] = []


def _code_digest() -> str:
    """A digest of the modules whose output is cached, so that a changed
    binsite (even between releases) never reuses an old analysis."""
    if not _CODE_DIGEST:
        here = Path(__file__).resolve().parent.parent  # the binsite package
        hasher = hashlib.sha256(__version__.encode())
        for name in ("incremental/analyse", "source/content", "source/yamlfile", "source/config", "source/areas",
                     "privacy", "render/markup", "source/media", "render/media_tree", "i18n"):
            hasher.update((here / f"{name}.py").read_bytes())
        for data in sorted((here / "data").glob("*.*")):  # the privacy guard's word lists
            hasher.update(data.read_bytes())
        _CODE_DIGEST.append(hasher.hexdigest()[:16])
    return _CODE_DIGEST[0]


def parse_context(config: SiteConfig, areas: tuple[Area, ...]) -> ParseContext:
    allowed = ({config.mail.sender, config.contact}
               | {a for area in areas for a in area.coordinators}
               | {p.address for area in areas for p in area.partners}
               | set(list_addresses(areas, config.mail.domain))) - {""}
    return ParseContext(config=config, area_ids=tuple(sorted(a.id for a in areas)),
                        allowed_addresses=tuple(sorted(allowed)), allowed_domains=(config.mail.domain,))


# The records the cache keeps by the ten thousand, and the workers hand back, pickle compactly.
compact.register(Author, Bulletin, MediaFile, Ref, Analysis)


@dataclass(frozen=True)
class Extras:
    """The large parts of an analysis, kept in the body store, not in memory."""

    body: RenderedBody
    words: str               # title and public text: distinct words, for the search index


def body_key(body: str, lang: str, media: str = "") -> str:
    """``media``: ``binsite.source.media.media_key`` of the files the body refers to."""
    return hashlib.sha256(f"{ANALYSIS_VERSION}|{lang}|{media}|{body}".encode()).hexdigest()[:32]


def excerpt(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(".,;:") + " …"


def words_key(body_key: str, title: str) -> str:
    return hashlib.sha256(f"{body_key}|{title}".encode()).hexdigest()[:32]


def analyse_source(source: Source, ctx: ParseContext, media: tuple[MediaFile, ...] = (),
                   media_problems: tuple[Problem, ...] = ()) -> tuple[Analysis, Extras | None]:
    """Parse, guard and render one file (pure). ``media``: the files in the
    folder beside it, probed; ``media_problems``: what is wrong with that folder."""
    # Imported here: a command that finds every file in the cache (a dry
    # run, a rebuild) never loads Markdown or the privacy patterns.
    from binsite import privacy
    from binsite.render.markup import render_body, search_text

    bulletin, text, problems = parse_bulletin(source, ctx.config, frozenset(ctx.area_ids))
    if bulletin is None:
        return Analysis(None, tuple(problems) + media_problems), None
    from binsite.source.media import check_media, media_key, with_media
    from binsite.model.site import is_public  # here to keep the import graph one-way

    lang = ctx.config.language
    usable = {m.name: m for m in media if m.problem is None}
    body = render_body(text, lang=lang, media=usable)
    # The guard judges the public rendition itself: what Markdown, entities
    # and comments make of the text is what is published.
    public = is_public(bulletin) and not bulletin.draft
    roles = frozenset(part for area in ctx.area_ids for part in area.split("-"))
    problems += privacy.check_bulletin(
        bulletin, body=text, public=public, rendered=body,
        allowed_addresses=frozenset(ctx.allowed_addresses), allowed_domains=frozenset(ctx.allowed_domains),
        roles=roles)
    problems += privacy.check_attachments(
        bulletin, [usable[name] for name in _shown(body.public_media, usable)], body=text, public=public,
        allowed_addresses=frozenset(ctx.allowed_addresses), allowed_domains=frozenset(ctx.allowed_domains),
        roles=roles)
    problems += check_media(bulletin, media, body.mail_media, body=text, max_file=ctx.config.media_max_file,
                            max_mail=ctx.config.media_max_mail, mail_base=len(text.encode()),
                            folder_problems=media_problems)
    key = body_key(text, lang, media_key(media) if media else "")
    mail_names = _shown(body.mail_media, usable)
    if mail_names:
        # A picture or PDF swapped after sending changes what readers received: a correction.
        bulletin = dataclasses.replace(bulletin, content_hash=with_media(
            bulletin.content_hash, tuple(usable[name].digest for name in mail_names)))
    analysis = Analysis(
        bulletin=bulletin,
        problems=tuple(problems),
        body_key=key,
        excerpt=bulletin.summary or excerpt(body.public_text),
        words_key=words_key(key, bulletin.title),
        has_members_only=body.has_members_only,
        media=media,
        public_media=_shown(body.public_media, usable),
        mail_media=mail_names,
    )
    return analysis, Extras(body, search_text(body.public_text))


def _shown(refs: tuple, usable: dict[str, MediaFile]) -> tuple[str, ...]:
    """The names of the usable files that ``refs`` refer to, once each, in order."""
    return tuple(dict.fromkeys(r.name for r in refs if r.name in usable))


# --- Reading the content folder, with stat signatures ----------------------

def content_files(root: Path) -> Iterable[tuple[str, os.stat_result]]:
    """``(path relative to root, stat)`` of every file under content/."""
    for rel, stat in walk_files(str(root / CONTENT_DIR)):
        yield CONTENT_DIR + rel.replace(os.sep, "/"), stat


def _work(item: tuple, ctx: ParseContext, prefix: str, media: dict[str, tuple[tuple, tuple]]
          ) -> tuple[str, str, Analysis, str | None, str | None]:
    """One file, in a worker: ``(digest, rel, analysis, body, words)``. A file
    never seen before comes without its digest and bytes: the worker reads
    it, so that reading 10,000 files is shared too (and their bytes are
    never all in the parent's memory). The body comes back serialised (one
    string is cheaper to send between processes than a dataclass of four).
    ``ctx``, ``prefix`` (the site root and a separator) and ``media`` reach
    the workers through the fork, bound to this function: never pickled."""
    digest, rel, data = item[:3]
    if data is None or digest is None:
        data, digest = _read(prefix + rel)
    found, media_problems = media.get(rel, ((), ()))
    analysis, extras = analyse_source(Source(rel, data), ctx, found, media_problems)
    if extras is None:
        return digest, rel, analysis, None, None
    return digest, rel, analysis, serialize_body(extras.body), extras.words


def _media_suffix(found: tuple[tuple, tuple] | None) -> str:
    """What of a bulletin's folder its analysis depends on, for its cache key."""
    if not found or not (found[0] or found[1]):
        return ""
    from binsite.source.media import media_key

    return f"|{media_key(found[0])}|{hashlib.sha256(repr(found[1]).encode()).hexdigest()[:16]}"


def _media_of(files: list[tuple[str, os.stat_result]], prefix: str, cache: BuildCache, max_file: int
              ) -> tuple[dict[str, tuple[tuple, tuple]], set[str], set[str]]:
    """The files beside each bulletin (``content/<area>/<stem>/`` beside
    ``<stem>.md``), probed once per content digest: ``({bulletin rel:
    (media files, problems of the folder)}, rels reported here, media rels)``."""
    from dataclasses import replace

    bulletins = {rel for rel, _ in files if rel.endswith(".md")}
    found: dict[str, tuple[list, list]] = {}
    reported: set[str] = set()
    media_rels: set[str] = set()
    signatures = cache.section("files")
    probes = cache.section("media")
    used_digests: set[str] = set()
    for rel, stat in files:
        parts = rel.split("/")
        if len(parts) < 4 or "/".join(parts[:3]) + ".md" not in bulletins:
            continue
        owner = "/".join(parts[:3]) + ".md"
        media, folder_problems = found.setdefault(owner, ([], []))
        from binsite.source.media import NAME, MediaFile, probe, store_named, too_large

        if len(parts) > 4 or not NAME.match(parts[3]):
            reported.add(rel)
            folder_problems.append(error(rel, None, t(
                "een bijlage staat direct in {f}/ en heeft een naam van letters, cijfers, '-' en '_' met een "
                "extensie, zonder spaties, zoals kaart-omleiding.png; hernoem of verplaats dit bestand",
                "an attachment sits directly in {f}/ and has a name of letters, digits, '-' and '_' with an "
                "extension, without spaces, such as diversion-map.png; rename or move this file",
                f="/".join(parts[:3])), code="media"))
            continue
        media_rels.add(rel)
        if os.path.islink(prefix + rel):
            media.append(MediaFile(parts[3], rel, "", "", "", 0, problem=t(
                "dit is een snelkoppeling (symlink) naar een ander bestand; zet het bestand zelf in de map",
                "this is a symbolic link to another file; put the file itself in the folder")))
            continue
        if stat.st_size > max_file:
            media.append(MediaFile(parts[3], rel, "", "", "", stat.st_size, problem=too_large(stat.st_size, max_file)))
            continue
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = signatures.get(rel)
        data = None
        if known is not None and known[0] == signature:
            digest = known[1]
        else:
            data, digest = _read(prefix + rel)
            signatures[rel] = (signature, digest)
            cache.dirty = True
        probed = probes.get(probe_key(digest))
        if probed is None:
            if data is None:
                data = _read(prefix + rel)[0]
            probed = probes[probe_key(digest)] = probe(
                data, store_named(str(cache.folder / "media") if cache.persistent else ""))
            cache.dirty = True
        used_digests.add(probe_key(digest))
        media.append(replace(probed, name=parts[3], rel=rel))
    for key in probes.keys() - used_digests:
        del probes[key]
        digest = key.rsplit("-", 1)[-1]
        cache.dirty = True
        if cache.persistent and probe_key(digest) not in used_digests:  # its processed versions go with it
            from binsite.source.media import MediaStore

            for variant in ("web", "large", "pdf"):
                (cache.folder / "media" / MediaStore.key(digest, variant)).unlink(missing_ok=True)
    return ({owner: (tuple(media), tuple(folder_problems)) for owner, (media, folder_problems) in found.items()},
            reported, media_rels)


def _read(path: str) -> tuple[bytes, str]:
    """A content file's bytes and the digest that keys its analysis."""
    with open(path, "rb") as handle:
        data = handle.read()
    return data, hashlib.sha256(data).hexdigest()[:32]


def analyse_content(root: Path, ctx: ParseContext, cache: BuildCache, *, workers: int | None = None,
                    listing: list[tuple[str, os.stat_result]] | None = None) -> tuple[list[Analysis], list[Problem]]:
    """Every content file's analysis, sorted by path; recomputed only where
    the file or the context changed. Also returns problems of the folder itself.
    ``listing``: ``content_files(root)`` when the caller has just walked it."""
    if not (root / CONTENT_DIR).is_dir():
        return [], [warning(CONTENT_DIR, None, t("map content/ ontbreekt: nog geen berichten",
                                                 "folder content/ is missing: no bulletins yet"))]
    signatures = cache.section("files")
    analyses = cache.section("analyses")
    ctx_key = ctx.key
    problems: list[Problem] = []
    keys: dict[str, str] = {}                       # rel -> analysis key, in path order
    todo: list[tuple[str | None, str, bytes | None]] = []   # (digest, rel, data); None, None: read it in a worker
    stats: dict[str, tuple[int, int, int]] = {}     # of the files a worker reads
    prefix = os.path.join(str(root), "")
    files = sorted(listing if listing is not None else content_files(root))
    media, others, media_rels = _media_of(files, prefix, cache, ctx.config.media_max_file)
    # Not a bulletin and not in a bulletin's own folder (those are _media_of's): an error.
    problems += stray_files(rel for rel, _ in files)
    for rel, stat in files:
        if rel in media_rels:
            continue
        if not rel.endswith(".md"):
            continue
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = signatures.get(rel)
        if known is None:  # a new file (or a cold cache): nothing to compare with
            keys[rel] = ""
            stats[rel] = signature
            todo.append((None, rel, None))
            continue
        data = None
        if known[0] == signature:
            digest = known[1]
        else:
            data, digest = _read(prefix + rel)
            signatures[rel] = (signature, digest)
            cache.dirty = True
        key = keys[rel] = f"{digest}|{ctx_key}|{rel}{_media_suffix(media.get(rel))}"
        known_analysis = analyses.get(key)
        if known_analysis is None or known_analysis.bulletin is not None and not (
                cache.bodies.has(known_analysis.body_key) and cache.bodies.has_words(known_analysis.words_key)):
            todo.append((digest, rel, data if data is not None else _read(prefix + rel)[0]))
    for rel in signatures.keys() - keys.keys() - media_rels:
        del signatures[rel]
        cache.dirty = True
    if todo:
        cache.dirty = True
        count = workers if workers is not None else (os.cpu_count() or 1)
        if len(todo) >= POOL_THRESHOLD and count > 1:
            from binsite import privacy

            privacy.preload()  # before the fork: one copy of the word lists, shared
        # Rendered bodies go to the body store in batches as they arrive, so
        # that memory holds a batch of them, never all.
        batch: list[tuple[str, str]] = []
        words: list[tuple[str, str]] = []

        def store() -> None:
            cache.bodies.put_serialized(batch)
            cache.bodies.put_words(words)
            batch.clear()
            words.clear()

        done = 0
        for digest, rel, analysis, body, search in fork_map(
                functools.partial(_work, ctx=ctx, prefix=prefix, media=media), todo, workers=count if len(todo) >= POOL_THRESHOLD else 1, chunksize=32):
            done += 1
            progress.report(progress.ANALYSE, done, len(todo))
            key = keys[rel] = f"{digest}|{ctx_key}|{rel}{_media_suffix(media.get(rel))}"
            if rel in stats:
                signatures[rel] = (stats[rel], digest)
            analyses[key] = analysis
            if body is not None and search is not None:
                batch.append((analysis.body_key, body))
                words.append((analysis.words_key, search))
            if len(batch) >= 1024:
                store()
        store()
        del todo
    # Forget analyses that no file needs any more.
    needed = set(keys.values())
    for key in analyses.keys() - needed:
        del analyses[key]
        cache.dirty = True
    result = [analyses[key] for key in keys.values()]
    # The bodies of edited and deleted files stay in the body store until
    # they are many; then every body no analysis needs goes.
    kept = [a for a in result if a.bulletin is not None]
    cache.bodies.prune_if_stale(len(kept), lambda: ({a.body_key for a in kept}, {a.words_key for a in kept}))
    return result, problems
