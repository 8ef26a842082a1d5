"""What a municipality's open-source check looks for, and the CI examples.

LICENSE, SECURITY.md, CONTRIBUTING.md, CHANGELOG.md and a publiccode.yml
valid against the Standard for Public Code's core schema (checked here by a
validator written from the standard's text, docs/standard/schema.core.rst of
publiccodeyml/publiccode.yml, version 0.4); the build cache kept between CI
runs; the Makefile's browser install.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

from binsite import __version__
from sitekit import REPO

# --- A publiccode.yml validator, from the standard -----------------------------------------------

PLATFORMS = {"web", "windows", "mac", "linux", "ios", "android"}
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                  "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}
CATEGORIES = set("""
accounting agile-project-management applicant-tracking application-development appointment-scheduling backup
billing-and-invoicing blog budgeting business-intelligence business-process-management cad call-center-management
cloud-management collaboration communications compliance-management contact-management content-management crm
customer-service-and-support data-analytics data-collection data-visualization design design-system
digital-asset-management digital-citizenship document-management donor-management e-commerce e-signature
educational-content email-management email-marketing employee-management enterprise-project-management
enterprise-social-networking erp event-management facility-management feedback-and-reviews-management
financial-reporting fleet-management fundraising gamification geographic-information-systems grant-management
graphic-design help-desk hr ide identity-management instant-messaging inventory-management it-asset-management
it-development it-management it-security it-service-management knowledge-management learning-management-system
marketing mind-mapping mobile-marketing mobile-payment network-management office online-booking online-community
payment-gateway payroll predictive-analysis procurement productivity-suite project-collaboration project-management
property-management real-estate-management remote-support resource-management sales-management seo service-desk
social-media-management survey talent-management task-management taxes-management test-management time-management
time-tracking translation video-conferencing video-editing visitor-management voip warehouse-management
web-collaboration web-conferencing website-builder whistleblowing workflow-management
""".split())
SCOPES = set("""agriculture culture defence education emergency-services employment energy environment
finance-and-economic-development foreign-affairs healthcare infrastructures justice local-authorities manufacturing
research science-and-technology security society sport tourism transportation welfare""".split())
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# SPDX identifiers the check accepts (the GPL family and a few common ones).
SPDX = {"GPL-3.0-or-later", "GPL-3.0-only", "AGPL-3.0-or-later", "EUPL-1.2", "MIT", "Apache-2.0", "LGPL-3.0-or-later"}


def publiccode_problems(data: object) -> list[str]:
    """Every way ``data`` breaks the publiccode.yml 0.4 core schema."""
    problems: list[str] = []

    def need(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    if not isinstance(data, dict):
        return ["the file is not a mapping"]
    for key in ("publiccodeYmlVersion", "name", "url", "platforms", "categories", "developmentStatus",
                "softwareType", "description", "legal", "maintenance", "localisation"):
        need(key in data, f"missing mandatory key {key}")
    need(isinstance(data.get("publiccodeYmlVersion"), str) and data.get("publiccodeYmlVersion", "").startswith("0."),
         "publiccodeYmlVersion must be a string such as \"0.4\"")
    need(isinstance(data.get("name"), str) and bool(data.get("name")), "name must be a non-empty string")
    need(isinstance(data.get("url"), str) and bool(URL.match(data.get("url", ""))), "url must be an http(s) URL")
    for key in ("landingURL", "roadmap"):
        if key in data:
            need(isinstance(data[key], str) and bool(URL.match(data[key])), f"{key} must be a URL")
    if "releaseDate" in data:
        value = data["releaseDate"]
        need(isinstance(value, str) and bool(DATE.match(value)), "releaseDate must be a string YYYY-MM-DD")
        if isinstance(value, str) and DATE.match(value):
            date.fromisoformat(value)
    if "softwareVersion" in data:
        need(isinstance(data["softwareVersion"], str), "softwareVersion must be a string")
    platforms = data.get("platforms")
    platforms = [platforms] if isinstance(platforms, str) else platforms
    need(isinstance(platforms, list) and bool(platforms) and all(isinstance(p, str) for p in platforms),
         "platforms must be a string or a list of strings")
    categories = data.get("categories")
    need(isinstance(categories, list) and bool(categories), "categories must be a non-empty list")
    for category in categories if isinstance(categories, list) else []:
        need(category in CATEGORIES, f"category {category!r} is not in the standard's list")
    need(data.get("developmentStatus") in DEVELOPMENT_STATUS, "developmentStatus is not one of the allowed values")
    need(data.get("softwareType") in SOFTWARE_TYPES, "softwareType is not one of the allowed values")
    audience = data.get("intendedAudience", {})
    need(isinstance(audience, dict), "intendedAudience must be a section")
    if isinstance(audience, dict):
        for key in ("countries", "unsupportedCountries"):
            for country in audience.get(key, []):
                need(isinstance(country, str) and bool(re.fullmatch(r"[a-z]{2}", country)),
                     f"intendedAudience/{key}: {country!r} is not a lowercase ISO 3166-1 alpha-2 code")
        for scope in audience.get("scope", []):
            need(scope in SCOPES, f"intendedAudience/scope: {scope!r} is not in the standard's list")
    description = data.get("description")
    need(isinstance(description, dict) and bool(description), "description needs at least one language")
    long_ok = features_ok = False
    for lang, text in (description.items() if isinstance(description, dict) else []):
        need(isinstance(lang, str) and bool(BCP47.match(lang)), f"description/{lang}: not a BCP 47 language tag")
        if not isinstance(text, dict):
            problems.append(f"description/{lang} must be a section")
            continue
        short = text.get("shortDescription")
        need(isinstance(short, str) and 0 < len(short) <= 150, f"description/{lang}/shortDescription: 1-150 characters")
        if "longDescription" in text:
            long = text["longDescription"]
            need(isinstance(long, str) and 150 <= len(long) <= 10000,
                 f"description/{lang}/longDescription: 150-10000 characters")
            long_ok = True
        if "features" in text:
            need(isinstance(text["features"], list) and all(isinstance(f, str) for f in text["features"]),
                 f"description/{lang}/features must be a list of strings")
            features_ok = True
        for key in ("documentation", "apiDocumentation"):
            if key in text:
                need(isinstance(text[key], str) and bool(URL.match(text[key])), f"description/{lang}/{key} must be a URL")
        if "genericName" in text:
            need(len(str(text["genericName"])) <= 35, f"description/{lang}/genericName: at most 35 characters")
    need(long_ok, "longDescription is mandatory for at least one language")
    need(features_ok, "features is mandatory for at least one language")
    legal = data.get("legal")
    need(isinstance(legal, dict) and isinstance(legal.get("license"), str), "legal/license is mandatory")
    if isinstance(legal, dict) and isinstance(legal.get("license"), str):
        need(all(part in SPDX for part in re.split(r"\s+(?:AND|OR)\s+", legal["license"])),
             "legal/license must be an SPDX expression")
    maintenance = data.get("maintenance")
    need(isinstance(maintenance, dict) and maintenance.get("type") in MAINTENANCE_TYPES,
         "maintenance/type must be internal, contract, community or none")
    if isinstance(maintenance, dict):
        kind = maintenance.get("type")
        if kind == "contract":
            contractors = maintenance.get("contractors")
            need(isinstance(contractors, list) and bool(contractors), "maintenance/contractors is mandatory for contract")
            for contractor in contractors or []:
                need(isinstance(contractor, dict) and bool(contractor.get("name"))
                     and isinstance(contractor.get("until"), str) and bool(DATE.match(contractor.get("until", ""))),
                     "a contractor needs name and until (YYYY-MM-DD)")
        if kind in ("internal", "community"):
            contacts = maintenance.get("contacts")
            need(isinstance(contacts, list) and bool(contacts), "maintenance/contacts is mandatory for internal/community")
            for contact in contacts if isinstance(contacts, list) else []:
                need(isinstance(contact, dict) and isinstance(contact.get("name"), str) and bool(contact.get("name")),
                     "a contact needs a name")
                if isinstance(contact, dict) and "email" in contact:
                    need(bool(EMAIL.match(str(contact["email"]))), "a contact's email must be an address")
                if isinstance(contact, dict) and "phone" in contact:
                    need(isinstance(contact["phone"], str), "a contact's phone must be a string")
    localisation = data.get("localisation")
    need(isinstance(localisation, dict) and isinstance(localisation.get("localisationReady"), bool),
         "localisation/localisationReady must be true or false")
    languages = localisation.get("availableLanguages") if isinstance(localisation, dict) else None
    need(isinstance(languages, list) and bool(languages) and all(isinstance(l, str) and BCP47.match(l) for l in languages),
         "localisation/availableLanguages must be a non-empty list of BCP 47 tags")
    depends = data.get("dependsOn", {})
    for kind in ("open", "proprietary", "hardware"):
        for dependency in depends.get(kind, []) if isinstance(depends, dict) else []:
            need(isinstance(dependency, dict) and bool(dependency.get("name")), f"dependsOn/{kind}: every dependency needs a name")
            for key in ("version", "versionMin", "versionMax"):
                if isinstance(dependency, dict) and key in dependency:
                    need(isinstance(dependency[key], str), f"dependsOn/{kind}/{key} must be a string")
            if isinstance(dependency, dict) and "optional" in dependency:
                need(isinstance(dependency["optional"], bool), f"dependsOn/{kind}/optional must be true or false")
    return problems


def _publiccode() -> dict:
    raw = (REPO / "publiccode.yml").read_bytes()
    raw.decode("utf-8")  # the standard: MUST be UTF-8
    return yaml.safe_load(raw)


def test_publiccode_yml_is_valid_against_the_core_schema():
    assert publiccode_problems(_publiccode()) == []


def test_publiccode_yml_agrees_with_the_package():
    data = _publiccode()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'license = "{data["legal"]["license"]}"' in pyproject
    assert data["softwareVersion"] == __version__
    assert set(data["localisation"]["availableLanguages"]) == {"nl", "en"}


@pytest.mark.parametrize("change, words", [
    (lambda d: d.pop("name"), "missing mandatory key name"),
    (lambda d: d.update(developmentStatus="production"), "developmentStatus"),
    (lambda d: d.update(softwareType="webapp"), "softwareType"),
    (lambda d: d.update(categories=["neighbourhood-watch"]), "category 'neighbourhood-watch'"),
    (lambda d: d["description"]["nl"].update(shortDescription="x" * 151), "shortDescription"),
    (lambda d: [d["description"][lang].pop("longDescription") for lang in d["description"]], "longDescription"),
    (lambda d: d["maintenance"].update(type="community", contacts=[]), "maintenance/contacts"),
    (lambda d: d["maintenance"].update(type="contract"), "maintenance/contractors"),
    (lambda d: d["legal"].update(license="GPL"), "SPDX"),
    (lambda d: d["localisation"].update(localisationReady="yes"), "localisationReady"),
    (lambda d: d.update(releaseDate="28-11-2026"), "releaseDate"),
    (lambda d: d["intendedAudience"].update(countries=["NL"]), "ISO 3166-1"),
])
def test_the_validator_rejects_what_the_standard_forbids(change, words):
    data = _publiccode()
    change(data)
    assert any(words in problem for problem in publiccode_problems(data))


# --- The files a municipality's check looks for ----------------------------------------------------


def test_license_is_the_full_gpl3_text():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE")
    assert "Version 3, 29 June 2007" in text
    for section in ("TERMS AND CONDITIONS", "15. Disclaimer of Warranty.", "END OF TERMS AND CONDITIONS",
                    "How to Apply These Terms to Your New Programs"):
        assert section in text
    assert len(text) > 30000
    assert 'license = "GPL-3.0-or-later"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_security_policy_gives_a_closed_channel_and_what_happens():
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    assert re.search(r"\*\*[\w.-]+@[\w.-]+\*\*", text)          # a private address, not "open an issue"
    assert "not in a public issue" in text
    assert re.search(r"within \*\*\d+ working days\*\*", text, re.I)
    assert "What happens then" in text


def test_contributing_and_changelog():
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "make test" in contributing and "SECURITY.md" in contributing and "CHANGELOG.md" in contributing
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Versioning" in changelog and "Semantic Versioning" in changelog
    assert f"## {__version__}" in changelog and "## Unreleased" in changelog


# --- CI keeps the build cache ----------------------------------------------------------------------


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_github_workflow_restores_and_saves_the_build_cache_before_building():
    workflow = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    for name, needle in (("site", "binsite build"), ("send", "binsite send")):
        steps = _steps(workflow["jobs"][name])
        cache = [i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("actions/cache@")]
        work = [i for i, step in enumerate(steps) if needle in str(step.get("run", ""))]
        assert cache and work and cache[0] < work[0], name
        settings = steps[cache[0]]["with"]
        assert settings["path"] == ".binsite/cache"
        # A new key per run (caches are immutable) restored by its prefix: the newest cache is used.
        restore = settings["restore-keys"].strip()
        assert settings["key"].startswith(restore) and "github.run_id" in settings["key"]


def _gitlab_example() -> dict:
    text = (REPO / "docs/beheer.md").read_text(encoding="utf-8")
    block = text.split("Dezelfde stappen in `.gitlab-ci.yml`:", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)


def test_gitlab_example_keeps_the_build_cache():
    ci = _gitlab_example()
    default_cache = ci.get("default", {}).get("cache")
    for name, job in ci.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        script = " ".join(job["script"])
        if "binsite build" in script or "binsite send" in script:
            cache = job.get("cache", default_cache)
            assert cache and ".binsite/cache/" in cache["paths"], name


# --- make browser ----------------------------------------------------------------------------------


@pytest.mark.parametrize("uid, sudo", [("0", False), ("1000", True)])
def test_make_browser_installs_without_recommends_and_uses_sudo_when_not_root(tmp_path: Path, uid, sudo):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    result = subprocess.run(["make", "-n", "browser"], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    line = result.stdout
    assert "apt-get install -y -q --no-install-recommends chromium" in line
    assert ("sudo apt-get update" in line and "sudo env DEBIAN_FRONTEND" in line) is sudo
    assert ("sudo" in line) is sudo
