"""``binsite build``: read -> validate -> model -> render -> write.

Incremental and parallel: per-file work is cached (``binsite.analyse``),
every output file has a key (``binsite.render.pages``), and only files whose
key changed are rendered, on all cores, and written only when their bytes
changed. The result is byte-identical to a clean build; the tests hold it
to that after every kind of edit.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from binsite import __version__
from binsite.cache import BuildCache
from binsite.checks import CheckResult, checked
from binsite.errors import Problem
from binsite.render.environment import make_environment, template_dirs
from binsite.render.model import Archive, build_archive, digest
from binsite.render.pages import Job, load_assets, plan_jobs, render_archive, templates_digest
from binsite.writer import WriteReport, Written, claim, remove_listed, remove_stale, write_if_changed

log = logging.getLogger(__name__)

# Below this many pages to render, forking workers costs more than it saves.
POOL_THRESHOLD = 200


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    bulletins: int
    rendered: int
    report: WriteReport
    warnings: tuple[Problem, ...]


def make_archive(result: CheckResult, now: datetime, *, drafts: bool = False) -> Archive:
    return build_archive(result.site, result.analyses, result.bodies, now, drafts=drafts)


def render_site(root: Path, now: datetime, *, drafts: bool = False) -> dict[str, bytes]:
    """Every file of the public archive in memory, without any cache (for tests)."""
    result = checked(root, now, cache=BuildCache.memory())
    env = make_environment(result.site.root, result.site.config.language)
    return render_archive(env, make_archive(result, now, drafts=drafts),
                          assets=load_assets(template_dirs(result.site.root)))


# Jobs and output folder for forked workers: inherited, never pickled.
_JOBS: list[Job] = []
_OUT: Path = Path()


def _render_range(bounds: tuple[int, int]) -> list[tuple[int, Written]]:
    return [(index, write_if_changed(_OUT / _JOBS[index].path, _JOBS[index].render()))
            for index in range(*bounds)]


def _render(jobs: list[Job], out: Path, workers: int) -> list[Written]:
    global _JOBS, _OUT
    _JOBS, _OUT = jobs, out
    try:
        if len(jobs) < POOL_THRESHOLD or workers < 2:
            return [w for _, w in _render_range((0, len(jobs)))]
        step = max(50, len(jobs) // (workers * 8))
        ranges = [(start, min(start + step, len(jobs))) for start in range(0, len(jobs), step)]
        results: list[Written | None] = [None] * len(jobs)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap_unordered(_render_range, ranges):
                for index, written in chunk:
                    results[index] = written
        return results  # type: ignore[return-value]
    finally:
        _JOBS, _OUT = [], Path()


def build(root: Path, out: Path, *, now: datetime, drafts: bool = False, cache: bool = True,
          workers: int | None = None) -> BuildResult:
    """Check the site, render what changed and write it to ``out``.

    Raises ``InvalidSite`` (and writes nothing) when any file has an error.
    ``cache=False`` ignores and leaves ``.binsite/cache`` alone."""
    build_cache = BuildCache.open(root) if cache else BuildCache.memory()
    result = checked(root, now, cache=build_cache)
    site = result.site
    archive = make_archive(result, now, drafts=drafts)
    dirs = template_dirs(site.root)
    site_key = digest(__version__, templates_digest(dirs), site.config, site.areas)
    env = make_environment(site.root, site.config.language)
    jobs = plan_jobs(env, archive, assets=load_assets(dirs), site_key=site_key)

    claim(out)
    outputs = build_cache.section("outputs")
    manifest: dict[str, tuple] = outputs.get(str(out.resolve()), {})
    todo: list[Job] = []
    kept: dict[str, tuple] = {}
    for job in jobs:
        record = manifest.get(job.path)
        if record is not None and record[0] == job.key and _unchanged(out / job.path, record):
            kept[job.path] = record
        else:
            todo.append(job)
    written = _render(todo, out, workers if workers is not None else (os.cpu_count() or 1))
    for job, w in zip(todo, written):
        kept[job.path] = (job.key, w.digest, w.size, w.mtime_ns)
    wanted = {job.path for job in jobs}
    if manifest:
        # What an earlier build wrote and no longer belongs; no folder walk.
        removed = remove_listed(out, [path for path in manifest if path not in wanted])
    else:
        removed = remove_stale(out, wanted)
    if todo or kept.keys() != manifest.keys():
        outputs[str(out.resolve())] = kept
        build_cache.dirty = True
    build_cache.save()
    changed = sum(1 for w in written if w.changed)
    log.info("%d files planned, %d rendered, %d written, %d removed", len(jobs), len(todo), changed, removed)
    return BuildResult(
        out=out, pages=sum(1 for j in jobs if j.path.endswith(".html")), bulletins=len(archive.entries),
        rendered=len(todo), report=WriteReport(written=changed, unchanged=len(jobs) - changed, removed=removed),
        warnings=tuple(result.problems))


def _unchanged(path: Path, record: tuple) -> bool:
    """The file is still what the last build wrote (nobody edited or removed it)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    return stat.st_size == record[2] and stat.st_mtime_ns == record[3]
