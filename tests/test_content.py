"""Parsing and validation of bulletins: every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from binsite.load import load_site
from sitekit import MINI_NOW, write


def problems_of(root: Path, rel: str, text: str | bytes) -> list[str]:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    problems = load_site(root, MINI_NOW).problems
    return [p.format("en") for p in problems if p.path == rel and p.is_error]


GOOD = "---\ntitle: Goed bericht\ndate: 2026-11-01\ncategory: inbraak\n---\nTekst.\n"


@pytest.mark.parametrize("rel, text, expected", [
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\ncategory: [x\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:4:"),
    ("content/noord/2026-11-01-a.md", "---\ndate: 2026-11-01\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:2: error: 'title' is missing"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: '  '\ndate: 2026-11-01\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:2: error: 'title' is missing or empty"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-02-30\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:3: error: date '2026-02-30' does not exist"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: gisteren\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:3: error: date 'gisteren' not understood"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01 25:10\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:3: error: date '2026-11-01 25:10' does not exist"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\ncategory: fietz\n---\nTekst\n",
     "content/noord/2026-11-01-a.md:4: error: unknown category 'fietz'"),
    ("content/nroth/2026-11-01-a.md", GOOD, "content/nroth/2026-11-01-a.md: error: unknown area 'nroth'"),
    ("content/notices/2026-11-01-a.md", GOOD, "content/notices/2026-11-01-a.md:2: error: a notice needs 'areas'"),
    ("content/notices/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\nareas:\n  - noord\n  - nroth\n---\nT\n",
     "content/notices/2026-11-01-a.md:6: error: unknown area 'nroth'"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\nfollow_up_of: noord/2026-01-01-nope\n---\nT\n",
     "content/noord/2026-11-01-a.md:4: error: 'follow_up_of' refers to 'noord/2026-01-01-nope'"),
    ("content/noord/2026-11-01-a.md", b"---\ntitle: Caf\xe9\ndate: 2026-11-01\n---\nT\n",
     "content/noord/2026-11-01-a.md:2:11: error: file is not UTF-8: the character 'é' on line 2"),
    ("content/noord/november-fiets.md", GOOD, "content/noord/november-fiets.md: error: file name must be YYYY-MM-DD-short-name.md"),
    ("content/noord/2026-11-01-Fiets.md", GOOD, "content/noord/2026-11-01-Fiets.md: error: file name must be"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: \"Eerste regel\\nBcc: x@y.example\"\ndate: 2026-11-01\n---\nT\n",
     "content/noord/2026-11-01-a.md:2: error: the title holds a line break or control character"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: \"Bel\\x07\"\ndate: 2026-11-01\n---\nT\n",
     "content/noord/2026-11-01-a.md:2: error: the title holds a line break"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\naudience: partners\npublic: true\n---\nT\n",
     "content/noord/2026-11-01-a.md:5: error: a partners-only bulletin cannot be public"),
    ("content/noord/2026-11-01-a.md", "title: A\ndate: 2026-11-01\n\nT\n",
     "content/noord/2026-11-01-a.md:1: error: front matter missing"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\nexpires: 2026-10-01\n---\nT\n",
     "content/noord/2026-11-01-a.md:4: error: 'expires' is before"),
    ("content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\nurgent: ja\n---\nT\n",
     "content/noord/2026-11-01-a.md:4: error: 'urgent' must be true or false"),
])
def test_problem_names_file_and_line(mini_root, rel, text, expected):
    found = problems_of(mini_root, rel, text)
    assert any(p.startswith(expected) for p in found), found


def test_all_problems_are_reported_at_once(mini_root):
    write(mini_root / "content/noord/2026-11-01-a.md", "---\ndate: 2026-13-01\ncategory: fietz\n---\nT\n")
    write(mini_root / "content/zuid/2026-11-01-b.md", "---\ntitle: B\ndate: 2026-11-01\ncategory: nope\n---\nT\n")
    problems = load_site(mini_root, MINI_NOW).problems
    errors = [p for p in problems if p.is_error]
    assert {(p.path, p.line) for p in errors} >= {
        ("content/noord/2026-11-01-a.md", 2),
        ("content/noord/2026-11-01-a.md", 3), ("content/zuid/2026-11-01-b.md", 4)}


def test_unknown_key_is_a_warning_with_its_line(mini_root):
    write(mini_root / "content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\nnotitie: intern\n---\nT\n")
    problems = load_site(mini_root, MINI_NOW).problems
    mine = [p for p in problems if p.path == "content/noord/2026-11-01-a.md"]
    assert [(p.severity.value, p.line) for p in mine] == [("warning", 4)]
    assert "notitie" in mine[0].format("en")


@pytest.mark.parametrize("typed, meant", [
    ("publiek", "public"), ("categorie", "category"), ("datum", "date"), ("catgory", "category"),
    ("Title", "title"), ("titel", "title"), ("concept", "draft"), ("expire", "expires"), ("urgnet", "urgent"),
    ("follow-up-of", "follow_up_of"), ("auteur", "author"),
])
def test_a_key_near_a_known_one_is_an_error_that_names_it(mini_root, typed, meant):
    text = f"---\ntitle: A\ndate: 2026-11-01\n{typed}: x\n---\nT\n"
    if typed.lower() in ("title", "titel", "datum"):
        text = f"---\n{typed}: A\ntitle: A\ndate: 2026-11-01\n---\nT\n"
    write(mini_root / "content/noord/2026-11-01-a.md", text)
    problems = load_site(mini_root, MINI_NOW).problems
    mine = [p for p in problems if p.path == "content/noord/2026-11-01-a.md" and p.is_error]
    line = 2 if text.startswith(f"---\n{typed}:") else 4
    assert any(p.line == line and f"bedoelt u '{meant}'?" in p.format("nl") for p in mine), [p.format("nl") for p in mine]


def test_a_file_that_is_not_markdown_in_content_is_an_error(mini_root):
    write(mini_root / "content/noord/fiets.txt", "Fiets gestolen\n")
    write(mini_root / "content/noord/2026-11-02-fiets.MD", GOOD)
    write(mini_root / "content/noord/foto.jpg", "not really")
    problems = load_site(mini_root, MINI_NOW).problems
    errors = {p.path: p.format("nl") for p in problems if p.is_error}
    assert "hernoem het naar een naam die op .md eindigt" in errors["content/noord/fiets.txt"]
    assert "hernoem" in errors["content/noord/2026-11-02-fiets.MD"]
    assert "verwijder het, of zet het in de map van het bericht" in errors["content/noord/foto.jpg"]


def test_files_in_a_bulletins_own_folder_are_not_stray(mini_root):
    bulletin = next((mini_root / "content/noord").glob("*.md"))
    folder = bulletin.with_suffix("")
    (folder).mkdir()
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    (mini_root / "content/noord/2026-01-01-weg").mkdir()
    (mini_root / "content/noord/2026-01-01-weg/foto.jpg").write_bytes(b"\xff\xd8\xff")
    problems = load_site(mini_root, MINI_NOW).problems
    stray = [p.path for p in problems if p.code == "stray"]
    # Only the folder without a bulletin of its name is stray.
    assert stray == ["content/noord/2026-01-01-weg/foto.jpg"]


def test_check_and_build_fail_on_a_stray_file(mini_root, tmp_path):
    import subprocess
    import sys
    write(mini_root / "content/noord/fiets.txt", "Fiets gestolen\n")
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        result = subprocess.run([sys.executable, "-m", "binsite", "--root", str(mini_root), *command],
                                capture_output=True, text=True, env={"PATH": "", "BINSITE_LANG": "nl"})
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "content/noord/fiets.txt: fout: geen bericht" in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("data", [
    "\ufeff---\ntitle: Café\ndate: 2026-11-01\n---\nT\n".encode("utf-16-le"),
    "\ufeff---\ntitle: Café\ndate: 2026-11-01\n---\nT\n".encode("utf-16-be"),
    "---\ntitle: Café\ndate: 2026-11-01\n---\nT\n".encode("utf-16-le"),
])
def test_utf16_file_says_so_and_how_to_save_as_utf8(mini_root, data):
    found = problems_of(mini_root, "content/noord/2026-11-01-a.md", data)
    assert len(found) == 1 and found[0].startswith("content/noord/2026-11-01-a.md:1: error: file is saved as UTF-16")
    assert "Notepad" in found[0] and "TextEdit" in found[0] and "web editor" in found[0]


def test_latin1_file_names_the_character_its_line_and_the_editors(mini_root):
    data = "---\ntitle: Inbraak\ndate: 2026-11-01\n---\nBij het café aan de Brink\r\nop de hoek, één keer.\n".encode("cp1252")
    path = mini_root / "content/noord/2026-11-01-a.md"
    path.write_bytes(data)
    problems = load_site(mini_root, MINI_NOW).problems
    mine = [p for p in problems if p.path == "content/noord/2026-11-01-a.md"]
    assert len(mine) == 1
    nl = mine[0].format("nl")
    assert nl.startswith("content/noord/2026-11-01-a.md:5:12: fout: bestand is geen UTF-8: het teken 'é' op regel 5")
    assert "en nog 2 andere tekens" in nl
    assert "Kladblok" in nl and "TextEdit" in nl and "webeditor" in nl


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_old_mac_and_windows_line_endings_read_as_any_other(mini_root, newline):
    text = newline.join(["---", "title: Oude Mac", "date: 2026-11-01", "category: fietz", "---", "Tekst.", ""])
    found = problems_of(mini_root, "content/noord/2026-11-01-a.md", text.encode())
    # Read correctly: not "front matter missing", and the error is on line 4.
    assert len(found) == 1 and found[0].startswith("content/noord/2026-11-01-a.md:4: error: unknown category"), found


def test_old_mac_line_endings_give_the_right_line_for_a_bad_byte(mini_root):
    data = b"---\rtitle: A\rdate: 2026-11-01\r---\rCaf\xe9\r"
    found = problems_of(mini_root, "content/noord/2026-11-01-a.md", data)
    assert found and found[0].startswith("content/noord/2026-11-01-a.md:5:4: error: file is not UTF-8"), found


def test_messages_are_dutch_by_default(mini_root):
    write(mini_root / "content/noord/2026-11-01-a.md", "---\ntitle: A\ndate: 2026-11-01\ncategory: fietz\n---\nT\n")
    problems = load_site(mini_root, MINI_NOW).problems
    assert any("onbekende categorie 'fietz'" in p.format("nl") for p in problems)


def test_fixture_site_is_valid(mini_root):
    loaded = load_site(mini_root, MINI_NOW)
    site, problems = loaded.site, loaded.problems
    assert [p.format("en") for p in problems if p.is_error] == []
    assert len(site.bulletins) == 10
    notice = site.bulletin("notices/2026-11-02-donkere-dagen")
    assert notice.areas == ("noord", "zuid") and notice.to_all


def test_date_time_in_site_timezone(mini_root):
    site = load_site(mini_root, MINI_NOW).site
    bulletin = site.bulletin("noord/2026-11-01-fiets-gestolen")
    assert bulletin.date.isoformat() == "2026-11-01T09:30:00+01:00"


def test_check_lists_bulletins_that_expire_within_a_week(mini_root):
    from datetime import datetime

    from sitekit import TZ

    # verdacht-gedrag is kept 30 days in the fixture: this one's last day is 2026-12-01.
    write(mini_root / "content/zuid/2026-11-01-bijna-weg.md",
          "---\ntitle: Bijna weg\ndate: 2026-11-01\ncategory: verdacht-gedrag\n---\nTekst.\n")
    notes = [p for p in load_site(mini_root, datetime(2026, 11, 26, 12, tzinfo=TZ)).problems if p.code == "retention"]
    assert [(p.path, p.severity.value) for p in notes] == [("content/zuid/2026-11-01-bijna-weg.md", "note")]
    assert "2026-12-01" in notes[0].format("nl")
    later = [p for p in load_site(mini_root, datetime(2026, 11, 10, 12, tzinfo=TZ)).problems if p.code == "retention"]
    assert later == []


def _hash_as_sent(title: str, body: str, audience: str, areas: tuple[str, ...], category: str | None) -> str:
    """The content hash exactly as ledgers written by earlier versions hold it."""
    import hashlib

    digest = hashlib.sha256()
    for part in (title, body, audience, ",".join(areas), category or ""):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def test_content_hash_is_what_ledgers_hold(mini_root):
    """The hash is computed at parse time, with ``areas: all`` resolved the
    way assembly resolves it: a changed value would make every sent bulletin
    look edited."""
    loaded = load_site(mini_root, MINI_NOW)
    site, problems = loaded.site, loaded.problems
    assert site is not None and not any(p.is_error for p in problems)
    notice = site.bulletin("notices/2026-11-02-donkere-dagen")
    assert notice is not None and notice.to_all and len(notice.areas) > 1
    for bulletin in site.bulletins:
        # The model keeps no body (it is in the body store, rendered): the
        # parser's own result, whose hash a mail's pictures do not yet change.
        parsed, body = as_parsed(mini_root, site, bulletin)
        assert parsed.content_hash == _hash_as_sent(parsed.title, body, parsed.audience,
                                                    bulletin.areas, parsed.category)


def test_cached_bulletins_keep_no_body_and_send_uses_the_body_store(mini_root):
    from binsite.render.markup import render_body

    result = load_site(mini_root, MINI_NOW)
    for bulletin in result.site.bulletins:
        assert not hasattr(bulletin, "body")
        analysis = result.analyses[bulletin.id]
        stored = result.bodies.get(analysis.body_key)
        assert result.body(bulletin) == stored
        # Rendered with the files beside the bulletin (their sizes), as analysed.
        media = {m.name: m for m in analysis.media if m.problem is None}
        assert stored == render_body(as_parsed(mini_root, result.site, bulletin)[1], lang="nl", media=media)


def as_parsed(root: Path, site, bulletin):
    """``bulletin`` as the parser reads it from its file, and its body."""
    from binsite.source.content import Source, parse_bulletin

    parsed, body, _ = parse_bulletin(Source(bulletin.source, (root / bulletin.source).read_bytes()), site.config,
                                     site.area_ids)
    return parsed, body


def test_lists_and_settings_files_get_the_same_encoding_help(mini_root):
    lists = mini_root / "lists/noord.yaml"
    lists.write_bytes(lists.read_text(encoding="utf-8").replace("name: Noord", "name: Noord-Café").encode("cp1252"))
    config = mini_root / "binsite.yaml"
    config.write_bytes(config.read_bytes().replace(b"\n", b"\r"))   # old-Mac line endings
    problems = load_site(mini_root, MINI_NOW).problems
    mine = [p.format("nl") for p in problems if p.path == "lists/noord.yaml"]
    assert len(mine) == 1 and mine[0].startswith("lists/noord.yaml:1:")
    assert "het teken 'é' op regel 1" in mine[0] and "Kladblok" in mine[0]
    assert not [p for p in problems if p.path == "binsite.yaml" and p.is_error]
