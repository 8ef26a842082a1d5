"""``binsite new``: a correctly named bulletin file with its front matter."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from binsite.source.network import load_network
from binsite.source.content import CONTENT_DIR, NOTICES, slugify
from binsite.errors import BinsiteError, InvalidSite
from binsite.i18n import t
from binsite.writer import atomic_write


def front_matter(values: dict) -> str:
    return "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def new_bulletin(root: Path, area: str, title: str, *, when: datetime, category: str | None = None,
                 audience: str = "members") -> Path:
    network = load_network(root)
    if network.config is None:
        raise InvalidSite(list(network.problems))
    config, areas = network.config, network.areas
    area_ids = {a.id for a in areas}
    if area != NOTICES and area not in area_ids:
        raise BinsiteError(t("onbekend gebied {a!r}; kies uit: {k}, of notices",
                             "unknown area {a!r}; choose from: {k}, or notices", a=area, k=", ".join(sorted(area_ids))))
    if category is not None and category not in config.category_ids:
        raise BinsiteError(t("onbekende categorie {c!r}; kies uit: {k}", "unknown category {c!r}; choose from: {k}",
                             c=category, k=", ".join(c.id for c in config.categories)))
    title = " ".join(title.split())
    if not title:
        raise BinsiteError(t("geef een titel", "give a title"))
    path = root / CONTENT_DIR / area / f"{when:%Y-%m-%d}-{slugify(title)}.md"
    if path.exists():
        raise BinsiteError(t("{p} bestaat al; kies een andere titel", "{p} exists already; choose another title",
                             p=path.relative_to(root)))
    values: dict = {"title": title, "date": when.strftime("%Y-%m-%d %H:%M")}
    if area == NOTICES:
        values["areas"] = sorted(area_ids)
    if category:
        values["category"] = category
    values["author"] = {"role": "gemeente" if area == NOTICES else "binco", "name": ""}
    values["audience"] = audience
    body = t("Schrijf hier het bericht. Beschrijf gedrag, geen personen: geen namen, kentekens of telefoonnummers.\n",
             "Write the bulletin here. Describe behaviour, not people: no names, licence plates or phone numbers.\n")
    atomic_write(path, (front_matter(values) + "\n" + body.get(config.language)).encode("utf-8"))
    return path
