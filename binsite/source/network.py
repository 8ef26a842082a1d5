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
from binsite.errors import InvalidSite, Problem


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
    return Network(config, areas, tuple(problems + more))
