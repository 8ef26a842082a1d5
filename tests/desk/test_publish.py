"""Publishing from the desk as git commits, against a real bare remote in tmp_path:
checked like `binsite check`, author the BINCO's role, races rebased (never forced),
drafts, edits, and a stale edit refused."""

from __future__ import annotations

import subprocess
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from binsite.cli import main
from binsite.desk.publish import Author, BulletinForm, Conflict, GitRemote, Publisher, bulletin_text, form_of
from binsite.errors import InvalidSite
from sitekit import MINI_NOW, copy_fixture

NOW = MINI_NOW
NAMES = {"noord": "Noord", "zuid": "Zuid"}
AUTHOR = Author("BINCO Noord", "bulletin@bin.test.example")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare remote holding the mini site, refusing non-fast-forward updates, logging every ref update."""
    bare = tmp_path / "bin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(bare, "config", "receive.denyNonFastForwards", "true")
    git(bare, "config", "core.logAllRefUpdates", "always")
    seed = copy_fixture("mini", tmp_path / "seed")
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.org", "commit", "--quiet", "-m", "seed")
    git(seed, "push", "--quiet", str(bare), "main")
    return bare


def publisher(tmp_path: Path, remote: Path, name: str = "clone") -> Publisher:
    return Publisher(tmp_path / "service" / name, GitRemote(str(remote)))


def form(title: str, body: str = "Bij de school is een fiets gestolen. Zet uw fiets op slot.", **more) -> BulletinForm:
    return BulletinForm(title=title, body=body, areas=("noord",), **more)


def remote_file(remote: Path, rel: str) -> str:
    return git(remote, "show", f"main:{rel}")


def fast_forwards_only(remote: Path) -> None:
    """Every update of main on the remote was a fast-forward (nothing forced)."""
    log = git(remote, "reflog", "show", "--format=%H", "refs/heads/main").split()
    for newer, older in zip(log, log[1:]):
        subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=remote, check=True)


def test_publish_commits_as_the_role_and_binsite_check_accepts_it(tmp_path: Path, remote: Path) -> None:
    pub = publisher(tmp_path, remote)
    bulletin = bulletin_text(form("Fiets gestolen bij school", members_only="Het was de blauwe fiets bij het hek.",
                                  urgent=True),
                             area_names=NAMES, when=NOW)
    done = pub.publish(bulletin, author=AUTHOR, now=NOW, draft=False)
    assert done.rel == "content/noord/2026-11-10-fiets-gestolen-bij-school.md" and done.attempts == 1
    assert git(remote, "log", "-1", "--format=%an <%ae>", "main") == "BINCO Noord <bulletin@bin.test.example>"
    assert git(remote, "rev-parse", "main") == done.commit
    text = remote_file(remote, done.rel)
    assert "urgent: true" in text and "::: leden\nHet was de blauwe fiets bij het hek.\n:::" in text
    check_out = tmp_path / "fresh"
    git(tmp_path, "clone", "--quiet", str(remote), str(check_out))
    result = CliRunner().invoke(main, ["--root", str(check_out), "check", "--now", "2026-11-10T13:00"],
                                env={"BINSITE_LANG": "nl"})
    assert result.exit_code == 0, result.output


def test_the_privacy_guard_stops_it_at_the_line_and_nothing_is_committed(tmp_path: Path, remote: Path) -> None:
    pub = publisher(tmp_path, remote)
    before = git(remote, "rev-parse", "main")
    bulletin = bulletin_text(form("Verdachte auto", body="Een auto reed rond.\n\nBel de eigenaar op 06-12345678."),
                             area_names=NAMES, when=NOW)
    with pytest.raises(InvalidSite) as caught:
        pub.publish(bulletin, author=AUTHOR, now=NOW, draft=False)
    problem, = [p for p in caught.value.problems if p.is_error]
    assert problem.path == bulletin.rel and bulletin.field_of(problem.line) == ("body", 3)
    assert git(remote, "rev-parse", "main") == before
    # The same verdict without publishing (the form's preview).
    assert [p.line for p in pub.check(bulletin, now=NOW) if p.is_error] == [problem.line]
    assert not (pub.workdir / bulletin.rel).exists()


def test_draft_then_publish_then_correct_and_a_stale_edit_is_refused(tmp_path: Path, remote: Path) -> None:
    pub = publisher(tmp_path, remote)
    draft = bulletin_text(form("Oproep buurtpreventie", draft=True), area_names=NAMES, when=NOW)
    saved = pub.publish(draft, author=AUTHOR, now=NOW, draft=True)
    assert "draft: true" in remote_file(remote, saved.rel)
    text, blob = pub.read(saved.rel)
    assert blob == saved.blob
    edit, keep = form_of(text, saved.rel)
    assert edit.draft and edit.title == "Oproep buurtpreventie" and keep == {"date": "2026-11-10 12:00"}
    final = bulletin_text(BulletinForm(**{**edit.__dict__, "draft": False}), area_names=NAMES, when=NOW, rel=saved.rel,
                          keep=keep)
    published = pub.publish(final, author=AUTHOR, now=NOW, draft=False, base_blob=blob)
    assert "draft" not in remote_file(remote, saved.rel) and published.edited
    corrected = bulletin_text(BulletinForm(**{**edit.__dict__, "draft": False, "body": edit.body + " Correctie."}),
                              area_names=NAMES, when=NOW, rel=saved.rel, keep=keep)
    with pytest.raises(Conflict):  # started from the draft: someone (we) changed it since
        pub.publish(corrected, author=AUTHOR, now=NOW, draft=False, base_blob=blob)
    pub.publish(corrected, author=AUTHOR, now=NOW, draft=False, base_blob=published.blob)
    assert "Correctie." in remote_file(remote, saved.rel)
    assert git(remote, "log", "--format=%s", "main").splitlines()[:3] == [
        f"correctie: Oproep buurtpreventie ({saved.rel})", f"correctie: Oproep buurtpreventie ({saved.rel})",
        f"concept: Oproep buurtpreventie ({saved.rel})"]


class Interrupted(Publisher):
    """A publisher whose first push is preceded by another's: it must lose that race."""

    def __init__(self, *args, before_push, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_push = before_push

    def _push(self, *args, **kwargs):
        if self.before_push is not None:
            hook, self.before_push = self.before_push, None
            hook()
        return super()._push(*args, **kwargs)


def test_a_push_that_loses_the_race_is_rebased_and_retried(tmp_path: Path, remote: Path) -> None:
    other = publisher(tmp_path, remote, "other")
    theirs = bulletin_text(form("Inbraak in schuur"), area_names=NAMES, when=NOW)
    ours = bulletin_text(form("Lantaarnpaal kapot", body="De lantaarnpaal aan het pad is kapot."),
                         area_names=NAMES, when=NOW)
    pub = Interrupted(tmp_path / "service" / "ours", GitRemote(str(remote)),
                      before_push=lambda: other.publish(theirs, author=AUTHOR, now=NOW, draft=False))
    done = pub.publish(ours, author=AUTHOR, now=NOW, draft=False)
    assert done.attempts == 2
    subjects = git(remote, "log", "--format=%s %P", "main").splitlines()
    assert subjects[0].startswith("nieuw bericht: Lantaarnpaal kapot") and subjects[1].startswith("nieuw bericht: Inbraak")
    assert git(remote, "rev-list", "--merges", "main") == "", "a merge commit: rebase expected"
    fast_forwards_only(remote)


def test_the_same_file_changed_meanwhile_is_a_conflict_not_an_overwrite(tmp_path: Path, remote: Path) -> None:
    first = publisher(tmp_path, remote, "first")
    made = first.publish(bulletin_text(form("Hangjongeren"), area_names=NAMES, when=NOW), author=AUTHOR, now=NOW,
                         draft=False)
    text, blob = first.read(made.rel)
    edit, keep = form_of(text, made.rel)
    other = publisher(tmp_path, remote, "other")
    theirs = bulletin_text(BulletinForm(**{**edit.__dict__, "body": "Hun versie."}), area_names=NAMES, when=NOW,
                           rel=made.rel, keep=keep)
    ours = bulletin_text(BulletinForm(**{**edit.__dict__, "body": "Onze versie."}), area_names=NAMES, when=NOW,
                         rel=made.rel, keep=keep)
    pub = Interrupted(tmp_path / "service" / "ours", GitRemote(str(remote)),
                      before_push=lambda: other.publish(theirs, author=AUTHOR, now=NOW, draft=False, base_blob=blob))
    with pytest.raises(Conflict):
        pub.publish(ours, author=AUTHOR, now=NOW, draft=False, base_blob=blob)
    assert "Hun versie." in remote_file(remote, made.rel)
    fast_forwards_only(remote)


def test_four_publishers_at_once_all_land(tmp_path: Path, remote: Path) -> None:
    pubs = [publisher(tmp_path, remote, f"p{i}") for i in range(4)]
    for pub in pubs:  # clone first, so the race is in the pushes
        pub.bulletins({"noord"})
    barrier = threading.Barrier(4)
    results: list = []

    def run(index: int) -> None:
        barrier.wait()
        for n in range(2):
            bulletin = bulletin_text(form(f"Bericht {index} nummer {n}"), area_names=NAMES, when=NOW)
            results.append(pubs[index].publish(bulletin, author=AUTHOR, now=NOW, draft=False))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(results) == 8
    files = git(remote, "ls-tree", "--name-only", "main", "content/noord/").splitlines()
    assert {r.rel for r in results} <= set(files)
    assert git(remote, "rev-list", "--merges", "main") == ""
    fast_forwards_only(remote)


def test_only_bulletin_paths(tmp_path: Path, remote: Path) -> None:
    pub = publisher(tmp_path, remote)
    from binsite.desk.publish import BulletinFile
    from binsite.errors import BinsiteError
    for rel in ("content/noord/../../binsite.yaml", "binsite.yaml", "content/noord/x.md", ".github/workflows/x.md"):
        with pytest.raises(BinsiteError):
            pub.publish(BulletinFile(rel, "x"), author=AUTHOR, now=NOW, draft=False)


def test_several_areas_make_a_notice_that_binsite_check_accepts(tmp_path: Path, remote: Path) -> None:
    pub = publisher(tmp_path, remote)
    notice = bulletin_text(BulletinForm("Donkere dagen, doe het licht aan", "Laat 's avonds een lamp branden.",
                                        ("noord", "zuid"), audience="all"), area_names=NAMES, when=NOW)
    assert notice.rel == "content/notices/2026-11-10-donkere-dagen-doe-het-licht-aan.md"
    assert "areas:\n- noord\n- zuid\n" in notice.text and "name: BINCO Noord / Zuid" in notice.text
    assert [p.format("en") for p in pub.check(notice, now=NOW) if p.is_error] == []
    done = pub.publish(notice, author=AUTHOR, now=NOW, draft=False)
    form, keep = form_of(remote_file(remote, done.rel), done.rel)
    assert form.areas == ("noord", "zuid") and form.audience == "all" and keep == {"date": "2026-11-10 12:00"}
