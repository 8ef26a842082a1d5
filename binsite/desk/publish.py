"""Publishing from the desk: a bulletin file, checked like ``binsite check``, as a git commit.

The BINCO fills a form (title, category, areas, urgent, audience, a
members-only passage, the body); ``bulletin_text`` writes the file (pure),
``Publisher.check`` judges it exactly as ``binsite check`` would (the whole
site is loaded with the file in place, privacy guard included) and
``Publisher.publish`` commits it to the BIN's repository and pushes, so CI
checks, builds and sends as for any commit.

The git side, safely:

- The service works in its own clone (``BINSITE_GIT_WORKDIR``, default
  ``.binsite/publish/`` of the site), never in a checkout someone edits.
  Every operation starts from the remote's branch (fetch, hard reset), under
  an exclusive ``flock``, so workers of one instance take turns.
- The commit's author is the BINCO's role ("BINCO Maaspoort" at the BIN's
  sender address); no personal address enters the history.
- The push uses the service's own deploy key (``BINSITE_GIT_SSH_COMMAND``,
  e.g. ``ssh -i /etc/binsite/deploy_key -o IdentitiesOnly=yes``) to
  ``BINSITE_GIT_REMOTE``. A push that loses a race (another instance, a
  BINCO committing by hand) is rebased onto the new remote branch and tried
  again, at most ``ATTEMPTS`` times, re-checked after each rebase; a rebase
  that conflicts (the same file changed meanwhile) is aborted and reported,
  and nothing is ever forced.
- Editing a published bulletin is one more commit. The form carries the
  blob id of the version the BINCO started from: if the file changed in the
  meantime, the edit is refused rather than overwriting someone's work.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import random
import re
import subprocess
import time
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

import yaml

from binsite.errors import BinsiteError, InvalidSite, Problem, error
from binsite.i18n import t
from binsite.source.content import CONTENT_DIR, NOTICES, slugify, split_front_matter
from binsite.writer import atomic_write

log = logging.getLogger(__name__)

REMOTE_VAR = "BINSITE_GIT_REMOTE"
BRANCH_VAR = "BINSITE_GIT_BRANCH"
SSH_VAR = "BINSITE_GIT_SSH_COMMAND"
WORKDIR_VAR = "BINSITE_GIT_WORKDIR"
DEFAULT_WORKDIR = ".binsite/publish"
# Pushes per publication; with jittered back-off, even four instances publishing at once all land.
ATTEMPTS = 12
GIT_TIMEOUT = 120.0
AUDIENCES = ("members", "partners", "all")
MAX_FIELD = {"title": 200, "body": 100_000, "members_only": 20_000}


# --- the form and the file (pure) ----------------------------------------------------------

@dataclass(frozen=True)
class BulletinForm:
    """What the BINCO typed. ``areas``: one (a bulletin of that area) or more (a notice)."""

    title: str
    body: str
    areas: tuple[str, ...]
    category: str | None = None
    urgent: bool = False
    audience: str = "members"
    members_only: str = ""
    draft: bool = False


@dataclass(frozen=True)
class BulletinFile:
    rel: str                 # content/<area>/<date>-<slug>.md
    text: str
    # The first line (1-based, in the file) of each form field, to show problems at the field's line.
    lines: Mapping[str, int] = field(default_factory=dict)

    def field_of(self, line: int | None) -> tuple[str, int | None]:
        """``(form field, line within it)`` of a line of the file."""
        if line is None:
            return "", None
        starts = sorted(((first, name) for name, first in self.lines.items()), reverse=True)
        for first, name in starts:
            if line >= first:
                multi = name in ("body", "members_only")
                return name, (line - first + 1) if multi else None
        return "", None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clean_block(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def form_problems(form: BulletinForm, rel_hint: str = "formulier") -> list[Problem]:
    """What is wrong with the form before any file is written (empty title, lengths)."""
    found = []
    if not _one_line(form.title):
        found.append(error(rel_hint, None, t("geef het bericht een titel", "give the bulletin a title"), code="title"))
    if not _clean_block(form.body):
        found.append(error(rel_hint, None, t("het bericht heeft nog geen tekst", "the bulletin has no text yet"),
                           code="body"))
    if not form.areas:
        found.append(error(rel_hint, None, t("kies minstens één gebied", "choose at least one area"), code="areas"))
    if form.audience not in AUDIENCES:
        found.append(error(rel_hint, None, t("kies voor wie het bericht is", "choose who the bulletin is for"),
                           code="audience"))
    for name, limit in MAX_FIELD.items():
        if len(getattr(form, name)) > limit:
            found.append(error(rel_hint, None, t("te lang: hoogstens {n} tekens", "too long: at most {n} characters",
                                                 n=limit), code=name))
    return found


def bulletin_text(form: BulletinForm, *, area_names: Mapping[str, str], when: datetime,
                  rel: str | None = None, keep: Mapping[str, object] | None = None,
                  author: Mapping[str, str] | None = None) -> BulletinFile:
    """The file for ``form`` (pure). ``rel``/``keep``: editing an existing file, whose path and
    other front matter (date, privacy, expires, follow_up_of, ...) stay as they were.
    ``author``: a partner's role and name (``binsite.desk.partners``) instead of the BINCO."""
    title = _one_line(form.title)
    values: dict[str, object] = dict(keep or {})
    for key in ("title", "category", "urgent", "audience", "draft", "areas", "author"):
        values.pop(key, None)
    notice = len(form.areas) > 1
    ordered: dict[str, object] = {"title": title}
    ordered["date"] = values.pop("date", when.strftime("%Y-%m-%d %H:%M"))
    if form.category:
        ordered["category"] = form.category
    if notice:
        ordered["areas"] = list(form.areas)
    name = "BINCO " + (area_names.get(form.areas[0], form.areas[0]) if not notice else
                       " / ".join(area_names.get(a, a) for a in form.areas))
    ordered["author"] = dict(author) if author else {"role": "binco", "name": name}
    if form.audience != "members":
        ordered["audience"] = form.audience
    if form.urgent:
        ordered["urgent"] = True
    if form.draft:
        ordered["draft"] = True
    ordered.update(values)
    head = "---\n" + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000) + "---\n"
    lines: dict[str, int] = {}
    for number, line in enumerate(head.split("\n"), start=1):
        key = line.split(":", 1)[0]
        if key in ("title", "category", "areas", "audience", "urgent", "draft") and key not in lines:
            lines[key] = number
    body = _clean_block(form.body)
    text = head + body + "\n"
    lines["body"] = head.count("\n") + 1
    passage = _clean_block(form.members_only)
    if passage:
        text += "\n::: leden\n"
        lines["members_only"] = text.count("\n") + 1
        text += passage + "\n:::\n"
    if rel is None:
        folder = NOTICES if notice else form.areas[0]
        rel = f"{CONTENT_DIR}/{folder}/{when:%Y-%m-%d}-{slugify(title) or 'bericht'}.md"
    return BulletinFile(rel, text, lines)


def form_of(text: str, rel: str) -> tuple[BulletinForm, dict[str, object]]:
    """The form for editing an existing file, and the front matter it does not show (kept)."""
    split = split_front_matter(text)
    if split is None:
        raise BinsiteError(t("{p} heeft geen front matter; bewerk het in git", "{p} has no front matter; edit it in git",
                             p=rel))
    head, body, _ = split
    values = yaml.safe_load(head) or {}
    if not isinstance(values, dict):
        raise BinsiteError(t("{p}: de front matter is geen lijst van sleutels", "{p}: the front matter is not a mapping",
                             p=rel))
    passage = ""
    match = re.search(r"\n::: leden\n(.*?)\n:::\s*\Z", "\n" + body, re.DOTALL)
    if match:
        passage = match.group(1)
        body = ("\n" + body)[:match.start()].lstrip("\n")
    folder = rel.split("/")[1] if rel.count("/") >= 2 else ""
    areas = values.get("areas")
    area_ids = tuple(str(a) for a in areas) if isinstance(areas, list) else (folder,)
    form = BulletinForm(str(values.get("title") or ""), body.strip("\n"), area_ids,
                        str(values["category"]) if values.get("category") else None, values.get("urgent") is True,
                        str(values.get("audience") or "members"), passage, values.get("draft") is True)
    keep = {k: v for k, v in values.items() if k not in ("title", "category", "urgent", "audience", "draft", "areas",
                                                          "author")}
    return form, keep


# --- git -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class GitRemote:
    url: str
    branch: str = "main"
    ssh_command: str | None = None

    def __repr__(self) -> str:
        return f"GitRemote({self.url!r}, branch={self.branch!r})"


def remote_from_env(environ: Mapping[str, str] = os.environ) -> GitRemote | None:
    """The remote to publish to, or None when publishing is not configured."""
    url = environ.get(REMOTE_VAR, "").strip()
    if not url:
        return None
    return GitRemote(url, environ.get(BRANCH_VAR, "").strip() or "main", environ.get(SSH_VAR, "").strip() or None)


class GitFailed(BinsiteError):
    pass


class Conflict(BinsiteError):
    """The bulletin changed meanwhile (another BINCO, another instance): nothing was published."""


@dataclass(frozen=True)
class Published:
    rel: str
    commit: str
    blob: str
    attempts: int
    draft: bool
    edited: bool


@dataclass(frozen=True)
class Author:
    """Who the commit says wrote it: a role, never a person's address."""

    name: str
    email: str


def check_alone(bulletin: BulletinFile, config, areas) -> list[Problem]:
    """What ``binsite check`` says about this one file on its own (parsing and the privacy
    guard, ``binsite.privacy``), where no working copy is at hand (a service without
    ``BINSITE_GIT_REMOTE``): the desk's preview shows the guard's findings all the same."""
    from binsite.incremental.analyse import analyse_source, parse_context
    from binsite.source.content import Source

    analysis, _extras = analyse_source(Source(bulletin.rel, bulletin.text.encode("utf-8")),
                                       parse_context(config, tuple(areas)))
    return list(analysis.problems)


class Publisher:
    """Publishes into ``remote`` from the service's own clone in ``workdir``."""

    def __init__(self, workdir: Path, remote: GitRemote, *, attempts: int = ATTEMPTS, timeout: float = GIT_TIMEOUT):
        self.workdir = workdir.resolve()
        self.remote = remote
        self.attempts = attempts
        self.timeout = timeout

    # -- plumbing --

    def _env(self, author: Author | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
        if self.remote.ssh_command:
            env["GIT_SSH_COMMAND"] = self.remote.ssh_command
        who = author or Author("binsite", "binsite@localhost")
        env.update(GIT_AUTHOR_NAME=who.name, GIT_AUTHOR_EMAIL=who.email,
                   GIT_COMMITTER_NAME="binsite (balie)", GIT_COMMITTER_EMAIL=who.email)
        return env

    def _git(self, *args: str, author: Author | None = None, check: bool = True,
             cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", *args],
                                  cwd=cwd or self.workdir, env=self._env(author), capture_output=True, text=True,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise GitFailed(t("git {a} duurde langer dan {s} s; er is niets gepubliceerd",
                              "git {a} took longer than {s} s; nothing was published", a=args[0], s=int(self.timeout))) from None
        if check and done.returncode != 0:
            log.warning("git %s failed: %s", args[0], done.stderr.strip()[-500:])
            raise GitFailed(t("git {a} mislukte: {e}; er is niets gepubliceerd",
                              "git {a} failed: {e}; nothing was published", a=args[0],
                              e=_last_line(done.stderr)))
        return done

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.workdir.parent.mkdir(parents=True, exist_ok=True)
        lock = self.workdir.parent / (self.workdir.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _sync(self) -> None:
        """The clone at the remote's branch, clean (made on first use)."""
        branch = self.remote.branch
        if not (self.workdir / ".git").is_dir():
            if self.workdir.exists() and any(self.workdir.iterdir()):
                raise GitFailed(t("{w} bestaat al en is geen git-kloon; maak de map leeg of kies {v}",
                                  "{w} exists and is not a git clone; empty it or set {v}", w=self.workdir, v=WORKDIR_VAR))
            self._git("clone", "--quiet", "--branch", branch, "--", self.remote.url, str(self.workdir),
                      cwd=self.workdir.parent)
            return
        self._git("fetch", "--quiet", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        self._git("checkout", "--quiet", "-B", branch, f"origin/{branch}")
        self._git("reset", "--quiet", "--hard", f"origin/{branch}")
        self._git("clean", "--quiet", "-fd")

    def _refuse_links(self, rel: str) -> None:
        """Nothing on the way to ``rel`` in the clone is a symbolic link: a link committed in the
        repository (``content/aa/x.md -> ../../binsite.yaml``, a folder linked to another area's)
        would lead a read or a write elsewhere. Checked after ``_sync``, before reading or writing."""
        path = self.workdir
        for part in rel.split("/"):
            path = path / part
            if path.is_symlink():
                raise BinsiteError(t("{p} is in de repository een symbolische koppeling; de balie opent of schrijft "
                                     "alleen gewone bestanden (pas het aan in git)",
                                     "{p} is a symbolic link in the repository; the desk opens or writes only regular "
                                     "files (change it in git)", p=rel))

    def _blob(self, rel: str) -> str | None:
        done = self._git("rev-parse", "--verify", "--quiet", f"HEAD:{rel}", check=False)
        return done.stdout.strip() or None

    # -- reading --

    def read(self, rel: str) -> tuple[str, str]:
        """``(text, blob id)`` of a bulletin as the remote has it now."""
        _check_rel(rel)
        with self._locked():
            self._sync()
            self._refuse_links(rel)
            blob = self._blob(rel)
            if blob is None:
                raise BinsiteError(t("{p} bestaat niet (meer)", "{p} does not exist (any more)", p=rel))
            return (self.workdir / rel).read_text(encoding="utf-8"), blob

    def bulletins(self, area_ids: set[str]) -> list[tuple[str, str]]:
        """``(rel, title)`` of every bulletin of the areas, newest file name first (for 'edit')."""
        with self._locked():
            self._sync()
            found = []
            for area in sorted(area_ids):
                folder = self.workdir / CONTENT_DIR / area
                if folder.is_symlink() or (self.workdir / CONTENT_DIR).is_symlink():
                    continue  # another folder's files under this area's name: not offered
                for path in sorted(folder.glob("*.md"), reverse=True) if folder.is_dir() else ():
                    if path.is_symlink():
                        continue
                    split = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
                    title = ""
                    if split is not None:
                        try:
                            values = yaml.safe_load(split[0]) or {}
                            title = str(values.get("title") or "") if isinstance(values, dict) else ""
                        except yaml.YAMLError:
                            pass
                    found.append((path.relative_to(self.workdir).as_posix(), title))
            return found

    # -- checking --

    def _problems(self, rel: str, now: datetime) -> list[Problem]:
        from binsite.load import load_site

        loaded = load_site(self.workdir, now, workers=1)
        return [p for p in loaded.problems if p.path == rel]

    def check(self, bulletin: BulletinFile, *, now: datetime) -> list[Problem]:
        """What ``binsite check`` would say about this file, without publishing it."""
        _check_rel(bulletin.rel)
        with self._locked():
            self._sync()
            self._refuse_links(bulletin.rel)
            try:
                atomic_write(self.workdir / bulletin.rel, bulletin.text.encode("utf-8"))
                return self._problems(bulletin.rel, now)
            finally:
                self._sync()

    # -- publishing --

    def publish(self, bulletin: BulletinFile, *, author: Author, now: datetime, draft: bool,
                base_blob: str | None = None, message: str | None = None) -> Published:
        """Commit the file and push it. ``base_blob``: the version an edit started from (None:
        a new file, which must not exist yet). Raises ``InvalidSite`` (the file's problems,
        nothing committed), ``Conflict`` or ``GitFailed``."""
        _check_rel(bulletin.rel)
        edited = base_blob is not None
        with self._locked():
            self._sync()
            self._refuse_links(bulletin.rel)
            current = self._blob(bulletin.rel)
            if edited and current != base_blob:
                raise Conflict(t(
                    "{p} is intussen gewijzigd (door een andere BINCO?); open het opnieuw en breng uw wijziging "
                    "opnieuw aan. Er is niets gepubliceerd.",
                    "{p} was changed meanwhile (by another BINCO?); open it again and make your change again. "
                    "Nothing was published.", p=bulletin.rel))
            if not edited and current is not None:
                raise Conflict(t("{p} bestaat al; kies een andere titel of bewerk dat bericht",
                                 "{p} already exists; choose another title or edit that bulletin", p=bulletin.rel))
            path = self.workdir / bulletin.rel
            atomic_write(path, bulletin.text.encode("utf-8"))
            problems = [p for p in self._problems(bulletin.rel, now) if p.is_error]
            if problems:
                self._sync()
                raise InvalidSite(problems)
            self._git("add", "--", bulletin.rel)
            if not self._git("status", "--porcelain", "--", bulletin.rel).stdout.strip():
                raise BinsiteError(t("er is niets veranderd aan {p}", "nothing was changed in {p}", p=bulletin.rel))
            title = _title_of(bulletin.text)
            what = (t("correctie", "correction") if edited else t("concept", "draft") if draft
                    else t("nieuw bericht", "new bulletin")).get("nl")
            self._git("commit", "--quiet", "--no-verify", "-m", message or f"{what}: {title} ({bulletin.rel})",
                      "--", bulletin.rel, author=author)
            attempts = self._push(bulletin, now, author)
            commit = self._git("rev-parse", "HEAD").stdout.strip()
            blob = self._blob(bulletin.rel) or ""
            log.info("published %s as %s after %d attempt(s)", bulletin.rel, commit[:12], attempts)
            return Published(bulletin.rel, commit, blob, attempts, draft, edited)

    def _push(self, bulletin: BulletinFile, now: datetime, author: Author) -> int:
        branch = self.remote.branch
        for attempt in range(1, self.attempts + 1):
            pushed = self._git("push", "--quiet", "--porcelain", "origin", f"HEAD:refs/heads/{branch}", check=False)
            if pushed.returncode == 0:
                return attempt
            if not _rejected(pushed):
                self._sync()
                raise GitFailed(t("git push mislukte: {e}; er is niets gepubliceerd",
                                  "git push failed: {e}; nothing was published", e=_last_line(pushed.stderr)))
            # Lost a race: someone pushed first. Take their work and put ours on top; never force.
            log.info("push of %s lost a race (attempt %d); rebasing", bulletin.rel, attempt)
            time.sleep(random.uniform(0, 0.15) * min(attempt, 6))  # jitter: the losers do not collide again
            self._git("fetch", "--quiet", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
            rebased = self._git("rebase", "--quiet", f"origin/{branch}", author=author, check=False)
            if rebased.returncode != 0:
                self._git("rebase", "--abort", check=False)
                self._sync()
                raise Conflict(t(
                    "{p} is intussen ook door iemand anders gewijzigd; open het opnieuw. Er is niets gepubliceerd.",
                    "{p} was changed by someone else meanwhile too; open it again. Nothing was published.",
                    p=bulletin.rel))
            problems = [p for p in self._problems(bulletin.rel, now) if p.is_error]
            if problems:
                self._sync()
                raise InvalidSite(problems)
        self._sync()
        raise GitFailed(t("de push lukte na {n} pogingen nog niet (het is druk); probeer het zo opnieuw. Er is niets "
                          "gepubliceerd.", "the push still failed after {n} attempts (busy); try again shortly. "
                          "Nothing was published.", n=self.attempts))


def _rejected(done: subprocess.CompletedProcess[str]) -> bool:
    text = (done.stdout + done.stderr).lower()
    return any(word in text for word in ("[rejected]", "non-fast-forward", "fetch first", "stale info",
                                         "cannot lock ref", "failed to update ref", "incorrect old value"))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "?"


def _title_of(text: str) -> str:
    split = split_front_matter(text)
    try:
        values = yaml.safe_load(split[0]) if split else {}
    except yaml.YAMLError:
        values = {}
    return _one_line(str((values or {}).get("title") or "")) if isinstance(values, dict) else ""


def _check_rel(rel: str) -> None:
    """Only ``content/<folder>/<name>.md``: nothing outside the content folder, no '..'."""
    if not re.fullmatch(r"content/[a-z0-9][a-z0-9-]{0,63}/[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]{1,120}\.md", rel):
        raise BinsiteError(t("{p!r} is geen pad van een bericht", "{p!r} is not a bulletin's path", p=rel))


def workdir_of(root: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """The service's clone: ``BINSITE_GIT_WORKDIR`` (relative to the site, or absolute)."""
    return root / (environ.get(WORKDIR_VAR, "").strip() or DEFAULT_WORKDIR)


def blob_of_text(text: str) -> str:
    """The git blob id of ``text`` (what ``base_blob`` compares)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
