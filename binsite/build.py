"""``binsite build``: read -> validate -> model -> render -> write.

Incremental and parallel: per-file work is cached (``binsite.incremental.analyse``),
every output file has a key (``binsite.render.pages``), and only files whose
key changed are rendered, on all cores, and written only when their bytes
changed. When nothing at all changed, ``binsite.incremental.fastpath`` notices before
anything heavy is loaded. The result is byte-identical to a clean build; the
tests hold it to that after every kind of edit.

Heavy modules (Markdown, Jinja, the privacy guard) are imported inside the
functions that need them, so a build with nothing to do starts fast.
"""

from __future__ import annotations

import logging
import os
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from binsite import progress

from binsite.incremental import fastpath
from binsite.errors import Problem, Severity
from binsite.i18n import Text
from binsite.locations import default_templates_dir
from binsite.writer import WriteReport, Written, write_if_changed

if TYPE_CHECKING:
    from binsite.incremental.cache import BuildCache
    from binsite.load import LoadedSite
    from binsite.render.model import Archive
    from binsite.render.pages import Job
    from binsite.model.site import Site

log = logging.getLogger(__name__)

# Below this many pages to render, forking workers costs more than it saves.
POOL_THRESHOLD = 200


@contextmanager
def _phase(name: str):
    """Log how long a phase of the build took (``binsite -v build``)."""
    start = _time.perf_counter()
    yield
    if log.isEnabledFor(logging.INFO):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        log.info("%s: %.3f s (peak memory so far %d MB)", name, _time.perf_counter() - start, peak)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    bulletins: int
    rendered: int
    report: WriteReport
    warnings: tuple[Problem, ...]


def make_archive(result: "LoadedSite", now: datetime, *, drafts: bool = False) -> "Archive":
    from binsite.render.model import build_archive

    return build_archive(result.site, result.analyses, result.bodies, now, drafts=drafts)


def _render(jobs: list["Job"], out: Path, workers: int) -> list[Written]:
    from binsite.incremental.workers import fork_map

    prefix = os.path.join(str(out), "")

    def render_one(index: int) -> tuple[int, Written]:
        # The jobs and the folder reach forked workers with this function: inherited, never pickled.
        job = jobs[index]
        return index, write_if_changed(prefix + job.path, job.render())

    results: list[Written | None] = [None] * len(jobs)
    # Last job first: the plan ends with the largest files (listings, the
    # search index), which then do not keep one process busy while the
    # other has finished. Small chunks keep the two processes even.
    for done, (index, written) in enumerate(fork_map(render_one, range(len(jobs) - 1, -1, -1),
                                                     workers=workers if len(jobs) >= POOL_THRESHOLD else 1,
                                                     chunksize=50, release=True), 1):
        results[index] = written
        progress.report(progress.PAGES, done, len(jobs))
    return results  # type: ignore[return-value]


def time_window(site: "Site", now: datetime) -> tuple[datetime, datetime]:
    """The span around ``now`` in which the clock changes no output: no
    bulletin becomes due or expires, and it is the same day."""
    from binsite.source.content import expiry_date

    tz = site.config.tz
    today = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    moments = [today, today + timedelta(days=1)]
    for bulletin in site.bulletins:
        moments.append(bulletin.date)
        last_day = expiry_date(bulletin, site.config)
        if last_day is not None:
            moments.append(datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz))
    start = max(m for m in moments if m <= now)
    end = min(m for m in moments if m > now)
    return start, end


def build(root: Path, out: Path, *, now: datetime, drafts: bool = False, cache: bool = True,
          workers: int | None = None, resident: BuildCache | None = None,
          progress_to: progress.Callback | None = None) -> BuildResult:
    """Check the site, render what changed and write it to ``out``.

    Raises ``InvalidSite`` (and writes nothing) when any file has an error.
    ``cache=False`` ignores and leaves ``.binsite/cache`` alone. ``workers``:
    processes for analysis and rendering (default: one per core).
    ``resident``: the site's build cache, kept open by a caller that builds
    again and again (``binsite serve``), so it is not loaded for every build;
    it is still saved after each. ``progress_to``: called as the analysis and
    the pages advance (``binsite.progress``); the caller draws it."""
    if progress_to is not None:
        with progress.reporting(progress_to):
            return build(root, out, now=now, drafts=drafts, cache=cache, workers=workers, resident=resident)
    from binsite.incremental.leftovers import in_progress, sweep

    signature = ""
    listing: list | None = None
    if cache:
        sweep(root)  # what a killed build left, in the cache and its output folder
        listing = []
        with _phase("input signature"):
            signature = fastpath.input_signature(root, default_templates_dir(), listing)
        record = fastpath.unchanged(root, out, signature=signature, now=now, drafts=drafts)
        if record is not None:
            log.info("nothing changed since the last build")
            return BuildResult(out=out, pages=record["pages"], bulletins=record["bulletins"], rendered=0,
                               report=WriteReport(written=0, unchanged=len(record["outputs"]), removed=0),
                               warnings=tuple(_load_problem(p) for p in record["warnings"]))
    from binsite.incremental.compact import many_objects

    with many_objects(), in_progress(root, out) if cache else _nothing():
        result, written = _full_build(root, out, now=now, drafts=drafts, cache=cache, workers=workers,
                                      listing=listing, resident=resident if cache else None)
        if cache:
            start, end = time_window(result[0].site, now)
            with _phase("remember outputs"):
                fastpath.remember(root, out, {
                    "signature": signature, "drafts": drafts, "valid_from": start.isoformat(),
                    "valid_until": end.isoformat(), "outputs": written, "pages": result[1].pages,
                    "bulletins": result[1].bulletins, "warnings": [_dump_problem(p) for p in result[1].warnings],
                })
    return result[1]


@contextmanager
def _nothing():
    yield


def _full_build(root: Path, out: Path, *, now: datetime, drafts: bool, cache: bool, workers: int | None,
                listing: list | None = None, resident: BuildCache | None = None):
    from binsite import __version__
    from binsite.incremental.cache import BuildCache
    from binsite.paths import cache_dir
    from binsite.load import load_site
    from binsite.locations import template_dirs
    from binsite.model import urls
    from binsite.render.environment import make_environment
    from binsite.render.model import digest
    from binsite.render.pages import load_assets, plan_jobs, templates_digest
    from binsite.writer import claim, remove_listed, remove_stale

    with _phase("open cache"):
        build_cache = resident or (BuildCache.open(root) if cache else BuildCache.memory())
    with _phase("read and check"):
        result = load_site(root, now, cache=build_cache, listing=listing, workers=workers).raise_for_errors()
    # What only the analysis needed is let go before the render workers fork.
    if listing is not None:
        listing.clear()
    build_cache.bodies.forget_known_keys()
    site = result.site
    with _phase("archive model"):
        archive = make_archive(result, now, drafts=drafts)
    with _phase("plan pages"):
        dirs = template_dirs(site.root)
        site_key = digest(__version__, templates_digest(dirs), site.config, site.areas)
        env = make_environment(site.root, site.config.language,
                               compiled_dir=cache_dir(root) / "templates" if cache else None)
        jobs = plan_jobs(env, archive, assets=load_assets(dirs), site_key=site_key,
                         media_store=str(build_cache.folder / "media") if build_cache.persistent else "",
                         search_parts=_stored_search_parts(build_cache.bodies))

    fresh = claim(out)  # an empty folder: nothing there can be stale
    outputs = build_cache.section("outputs")
    manifest: dict[str, tuple] = outputs.get(str(out.resolve()), {})
    todo: list[Job] = []
    kept: dict[str, tuple] = {}
    prefix = os.path.join(str(out), "")
    with _phase("compare with the last output"):
        for job in jobs:
            record = manifest.get(job.path)
            if record is not None and record[0] == job.key and _unchanged(prefix + job.path, record):
                kept[job.path] = record
            else:
                todo.append(job)
    count = workers if workers is not None else (os.cpu_count() or 1)
    if any(job.path == urls.SEARCH_INDEX for job in todo):
        with _phase("encode the search index"):
            _encode_search_batches(build_cache.bodies, archive, site_key, count)
    with _phase(f"render and write {len(todo)} files"):
        written = _render(todo, out, count)
    for job, w in zip(todo, written):
        kept[job.path] = (job.key, w.digest, w.size, w.mtime_ns)
    wanted = {job.path for job in jobs}
    if manifest:
        # What an earlier build wrote and no longer belongs; no folder walk.
        removed = remove_listed(out, [path for path in manifest if path not in wanted])
    else:
        removed = 0 if fresh else remove_stale(out, wanted)
    if todo or kept.keys() != manifest.keys():
        outputs[str(out.resolve())] = kept
        build_cache.dirty = True
    with _phase("save cache"):
        build_cache.save()
    changed = sum(1 for w in written if w.changed)
    log.info("%d files planned, %d rendered, %d written, %d removed", len(jobs), len(todo), changed, removed)
    build_result = BuildResult(
        out=out, pages=sum(1 for j in jobs if j.path.endswith(".html")), bulletins=len(archive.entries),
        rendered=len(todo), report=WriteReport(written=changed, unchanged=len(jobs) - changed, removed=removed),
        warnings=tuple(result.problems))
    return (result, build_result), {path: [record[2], record[3]] for path, record in kept.items()}


def _encode_search_batches(store, archive: "Archive", site_key: str, workers: int) -> None:
    """Encode the search index's batches that the body store lacks and keep
    only this build's there: done by the build loop, before the pages, so
    the index's render job only reads (``_stored_search_parts``). Batches
    are encoded in the worker processes and stored here, one at a time."""
    from binsite.incremental.workers import fork_map
    from binsite.render.pages import encode_search_batch, search_batches

    batches = search_batches(archive, site_key)
    known = store.fragment_keys()
    missing = [(key, entries) for key, entries in batches if key not in known]
    lang = archive.site.config.language

    def encode(index: int) -> tuple[str, bytes]:
        key, entries = missing[index]
        return key, encode_search_batch(entries, store.words([e.words_key for e in entries]), lang)

    for key, data in fork_map(encode, range(len(missing)), workers=workers if len(missing) > 1 else 1,
                              chunksize=1, release=True):
        store.put_fragment(key, data)
    if missing or known.difference(key for key, _ in batches):
        store.keep_fragments([key for key, _ in batches])


def _stored_search_parts(store):
    """The search index's encoded batches, read from the body store
    (``_encode_search_batches`` put them there)."""
    def parts(batches: list) -> Iterator[bytes]:
        for key, _ in batches:
            data = store.fragment(key)
            if data is None:
                raise KeyError(f"search batch {key} was not encoded before rendering")
            yield data
    return parts


def _unchanged(path: str, record: tuple) -> bool:
    """The file is still what the last build wrote (nobody edited or removed it)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return False
    return stat.st_size == record[2] and stat.st_mtime_ns == record[3]


def _dump_problem(problem: Problem) -> list:
    return [problem.path, problem.line, problem.col, problem.severity.value, problem.code,
            problem.message.nl, problem.message.en]


def _load_problem(values: list) -> Problem:
    path, line, col, severity, code, nl, en = values
    return Problem(path, line, Text(nl, en), Severity(severity), col, code)
