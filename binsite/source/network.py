"""The network without its bulletins: ``binsite.yaml`` and ``lists/*.yaml``.

``load_network`` is the one place that reads the two in order (the areas are
validated against the config); the site loader (``binsite.load``), the desk
and ``binsite new`` all start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from binsite.source.areas import Area, load_areas
from binsite.source.config import SiteConfig, load_config
from binsite.errors import InvalidSite, Problem, error
from binsite.i18n import t


@dataclass(frozen=True)
class Network:
    config: SiteConfig | None       # None when binsite.yaml is unusable (then there are no areas)
    areas: tuple[Area, ...]
    problems: tuple[Problem, ...]

    def raise_for_errors(self) -> "Network":
        """This network, or ``InvalidSite`` when the config is unusable or any file has an error."""
        if self.config is None or any(p.is_error for p in self.problems):
            raise InvalidSite(list(self.problems))
        return self


def load_network(root: Path) -> Network:
    """Read and validate the config, then the areas against it."""
    config, problems = load_config(root)
    if config is None:
        return Network(None, (), tuple(problems))
    areas, more = load_areas(root, config)
    return Network(config, areas, tuple(problems + more + _partner_areas(config, areas)))


def _partner_areas(config: SiteConfig, areas: tuple[Area, ...]) -> list[Problem]:
    """A central partner of binsite.yaml may name only areas that lists/ has."""
    known = {a.id for a in areas}
    found = []
    for partner in config.partners:
        for area_id in partner.areas or ():
            if area_id not in known:
                found.append(error(config.source, partner.line, t(
                    "partner {p}: onbekend gebied {a!r}; bekende gebieden: {k}",
                    "partner {p}: unknown area {a!r}; known areas: {k}", p=partner.address, a=area_id,
                    k=", ".join(sorted(known)))))
    return found
