"""The Markdown side of ``binsite.source.media``: a treeprocessor that finds the
references to a bulletin's files in the element tree of each rendition.

Registered by ``binsite.render.markup`` for every document; it acts only when the
document comes with ``md.binsite_media`` (the bulletin's files by name), and
leaves what it found in ``md.binsite_media_refs``. The public rendition holds
no members-only element at all, so its references are exactly what the site
may publish.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from binsite.source.media import EXTENSIONS, HAS_SCHEME, LARGE_DIR, Ref


class _MediaTreeprocessor(Treeprocessor):
    """Finds the references to the bulletin's files in the element tree and
    gives images their size and a link to the large version (in the public
    rendition). Does nothing when the document has no ``binsite_media``."""

    def __init__(self, md, *, public: bool):
        super().__init__(md)
        self.public = public

    def run(self, root):
        media = getattr(self.md, "binsite_media", None)
        refs: list[Ref] = []
        self.md.binsite_media_refs = refs
        if media is None:
            return
        # In document order; the parents only when an image is to be wrapped.
        elements = [e for e in root.iter() if e.tag == "img" or e.tag == "a"]
        parents: dict | None = None
        for element in elements:
            if element.tag == "img":
                src = element.get("src", "")
                if HAS_SCHEME.match(src) or not src:
                    continue
                refs.append(Ref("img", src, element.get("alt", "").strip()))
                found = media.get(src)
                if found is None or not found.is_image:
                    continue
                element.set("width", str(found.width))
                element.set("height", str(found.height))
                if parents is None:
                    parents = {child: parent for parent in root.iter() for child in parent}
                parent = parents[element]
                if self.public and parent.tag != "a":
                    index = list(parent).index(element)
                    link = etree.Element("a", {"href": f"{LARGE_DIR}/{src}"})
                    link.tail, element.tail = element.tail, None
                    parent.remove(element)
                    link.append(element)
                    parent.insert(index, link)
                    parents[element], parents[link] = link, parent
            else:
                href = element.get("href", "")
                if HAS_SCHEME.match(href) or "/" in href or os.path.splitext(href)[1].lower() not in EXTENSIONS:
                    continue
                refs.append(Ref("a", href))
                found = media.get(href)
                if found is not None and found.is_image:
                    element.set("href", f"{LARGE_DIR}/{href}")


class MediaExtension(Extension):
    def __init__(self, *, public: bool):
        super().__init__()
        self.public = public

    def extendMarkdown(self, md):
        # After the inline pass (20), which makes the img and a elements.
        md.treeprocessors.register(_MediaTreeprocessor(md, public=self.public), "binsite_media", 15)
