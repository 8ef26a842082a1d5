"""The one Jinja environment factory for pages and e-mail.

Autoescape on, ``StrictUndefined``, and a site's own ``templates/`` in front
of binsite's defaults, so a site overrides any template by adding a file with
the same name. Sanitised Markdown enters templates as ``Markup`` in one place
(``binsite.render.model``), never through ``|safe`` in templates.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jinja2
from markupsafe import Markup

from binsite.locations import default_templates_dir, template_dirs  # noqa: F401 (re-exported)
from binsite.i18n import author_label, format_date, format_datetime, format_number, role_label, ui


# Mail clients drop <style> and classes: the members-only passage of a mail
# carries its look inline (a tinted box with a rule and its label in bold).
MAIL_INLINE_STYLES = {
    '<div class="members-only">':
        '<div class="members-only" style="margin:16px 0;padding:8px 12px;background:#fff4d6;'
        'border-left:4px solid #8a5a00;border-top:1px dashed #8a5a00;border-bottom:1px dashed #8a5a00;">',
    '<p class="members-only-label">':
        '<p class="members-only-label" style="margin:0 0 4px;font-weight:bold;font-size:14px;color:#5c3b00;">',
}


def mail_inline_styles(html: Markup) -> Markup:
    """Sanitised mail HTML with the inline styles above (its markup is ours: exact matches)."""
    text = str(html)
    for plain, styled in MAIL_INLINE_STYLES.items():
        text = text.replace(plain, styled)
    return Markup(text)


def make_environment(site_root: Path, lang: str, *, compiled_dir: Path | None = None) -> jinja2.Environment:
    """``compiled_dir``: where to keep compiled templates between runs (Jinja
    checks each against its source, so a changed template is recompiled)."""
    bytecode_cache = None
    if compiled_dir is not None:
        # Compiled code depends on the options below too: one folder per version of this file.
        folder = compiled_dir / hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
        folder.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs(site_root)]),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["lang"] = lang
    env.globals["_"] = lambda key, **params: ui(key, lang, **params)
    env.filters["date_text"] = lambda value: format_date(value, lang)
    env.filters["datetime_text"] = lambda value: format_datetime(value, lang)
    env.filters["number"] = lambda value: format_number(value, lang)
    env.filters["role"] = lambda value: role_label(value, lang)
    env.filters["author"] = lambda value: author_label(value.name, value.role, lang)
    env.filters["mail_styles"] = mail_inline_styles
    # Our HTML as text again, for places that must escape it (Atom's type="html").
    env.filters["as_text"] = lambda value: str.__str__(value)
    env.filters["json"] = lambda value: Markup(json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/"))
    return env
