"""Where binsite's own files are: the default templates (inside the installed
package, or the checkout's ``templates/``). Standard library only."""

from __future__ import annotations

from pathlib import Path


def default_templates_dir() -> Path:
    package = Path(__file__).resolve().parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def template_dirs(site_root: Path) -> list[Path]:
    """The site's own ``templates/`` first (overrides), then binsite's defaults."""
    dirs = []
    own = (site_root / "templates").resolve()
    if own.is_dir():
        dirs.append(own)
    default = default_templates_dir()
    if default not in dirs:
        dirs.append(default)
    return dirs
