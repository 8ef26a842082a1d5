"""binsite.yaml and lists/*.yaml: typed, validated, every problem at its line."""

from __future__ import annotations

import pytest

from binsite.source.areas import load_areas
from binsite.source.config import load_config, parse_duration
from sitekit import write


def test_config_defaults_and_values(mini_root):
    config, problems = load_config(mini_root)
    assert problems == []
    assert config.language == "nl" and config.timezone == "Europe/Amsterdam"
    assert config.base_path == "/archief/"
    assert "inbraak" in config.category_ids and len(config.categories) == 11
    assert config.retention_days("verdacht-gedrag") == 30
    assert config.retention_days("nieuws") is None
    assert config.retention_days("inbraak") == 365


def test_config_errors_point_at_lines(mini_root):
    write(mini_root / "binsite.yaml", "title: X\nbase_url: bin.example\nlanguage: fr\nmail:\n  domain: bin.example.org\nretention:\n  nieuws: soms\nfoo: 1\n")
    config, problems = load_config(mini_root)
    found = {(p.line, p.severity.value) for p in problems}
    assert (2, "error") in found and (3, "error") in found and (7, "error") in found and (8, "warning") in found


def test_missing_config_says_how_to_fix(tmp_path):
    config, problems = load_config(tmp_path)
    assert config is None and "binsite.yaml" in problems[0].format("en")


def test_durations():
    assert parse_duration("90 days") == 90
    assert parse_duration("12 weken") == 84
    assert parse_duration("1 year") == 365
    assert parse_duration("forever") is None


def test_area_list_errors(mini_root):
    write(mini_root / "lists/west.yaml", "name: West\ncoordinators:\n  - geen-adres\npartners:\n  - address: x@politie.example\n  - address: x@politie.example\n")
    config, _ = load_config(mini_root)
    areas, problems = load_areas(mini_root, config)
    lines = sorted((p.path, p.line) for p in problems)
    assert ("lists/west.yaml", 3) in lines and ("lists/west.yaml", 6) in lines
    assert [a.id for a in areas] == ["noord", "west", "zuid"]


def test_reserved_area_id(mini_root):
    write(mini_root / "lists/zoeken.yaml", "name: Zoeken\ncoordinators: [a@b.example]\n")
    config, _ = load_config(mini_root)
    _, problems = load_areas(mini_root, config)
    assert any(p.path == "lists/zoeken.yaml" and p.is_error for p in problems)


@pytest.mark.parametrize("name", ["noord-overzicht", "noord-partners"])
def test_an_area_named_like_another_areas_list_is_an_error(mini_root, name):
    write(mini_root / f"lists/{name}.yaml", "name: Dubbel\ncoordinators: [a@b.example]\n")
    config, _ = load_config(mini_root)
    areas, problems = load_areas(mini_root, config)
    [problem] = [p for p in problems if p.is_error]
    assert problem.path == f"lists/{name}.yaml" and "noord" in problem.message.get("nl")
    assert f"{name}@" in problem.message.get("en") and "-overzicht" in problem.message.get("en")
    noord = next(a for a in areas if a.id == "noord")
    assert noord.weekly_list("x.example") == "noord-overzicht@x.example"
    assert [kind for kind, _ in noord.lists("x.example")] == ["members", "weekly", "partners"]


def test_second_factor_policy_per_role_defaults_and_errors_at_their_line(mini_root):
    config, problems = load_config(mini_root)
    assert config.second_factor_of("partners") == "required" and config.second_factor_of("bincos") == "optional"
    text = (mini_root / "binsite.yaml").read_text(encoding="utf-8")
    write(mini_root / "binsite.yaml", text + "second_factor:\n  bincos: required\n")
    config, problems = load_config(mini_root)
    assert problems == [] and config.second_factor_of("bincos") == "required"
    assert config.second_factor_of("partners") == "required"
    write(mini_root / "binsite.yaml", text + "second_factor: optional\n")
    config, problems = load_config(mini_root)
    assert problems == [] and {config.second_factor_of(r) for r in ("bincos", "partners")} == {"optional"}
    lines = len(text.splitlines())
    write(mini_root / "binsite.yaml", text + "second_factor:\n  partners: verplicht\n  wijkagent: required\n")
    config, problems = load_config(mini_root)
    found = {(p.line, p.severity.value) for p in problems}
    assert (lines + 2, "error") in found and (lines + 3, "error") in found
    message = " ".join(p.format("nl") for p in problems)
    assert "'required'" in message and "'verplicht'" in message and "wijkagent" in message
    # A typo in the policy never weakens it: the default stays.
    assert config.second_factor_of("partners") == "required"
    write(mini_root / "binsite.yaml", text + "second_factor: [required]\n")
    _config, problems = load_config(mini_root)
    assert [p.line for p in problems] == [lines + 1]


def test_desk_idle_minutes_default_and_bounds_at_their_line(mini_root):
    config, _problems = load_config(mini_root)
    assert config.desk_idle_minutes == 30
    text = (mini_root / "binsite.yaml").read_text(encoding="utf-8")
    write(mini_root / "binsite.yaml", text + "desk_idle_minutes: 15\n")
    config, problems = load_config(mini_root)
    assert problems == [] and config.desk_idle_minutes == 15
    for bad in ("2", "601", "'dertig'", "true"):
        write(mini_root / "binsite.yaml", text + f"desk_idle_minutes: {bad}\n")
        config, problems = load_config(mini_root)
        assert [p.line for p in problems] == [len(text.splitlines()) + 1], bad
        assert "desk_idle_minutes" in problems[0].format("nl") and config.desk_idle_minutes == 30
