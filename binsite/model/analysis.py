"""What the analysis of one content file yields: a plain record.

Made by ``binsite.incremental.analyse`` (which also registers its compact
pickling for the build cache), read by ``binsite.load`` and the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass

from binsite.errors import Problem
from binsite.source.content import Bulletin
from binsite.source.media import MediaFile


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one content file yields, small enough to keep for every file:
    the bulletin without its body, which goes to the body store rendered,
    with its search words."""

    bulletin: Bulletin | None
    problems: tuple[Problem, ...]
    body_key: str = ""
    excerpt: str = ""
    words_key: str = ""      # where the body store keeps its search words
    has_members_only: bool = False
    # The files beside the bulletin (``binsite.source.media``), and the names of
    # those the public and the mail rendition show: the site copies the first,
    # the mail carries the second.
    media: tuple[MediaFile, ...] = ()
    public_media: tuple[str, ...] = ()
    mail_media: tuple[str, ...] = ()
