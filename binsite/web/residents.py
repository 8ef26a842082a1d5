"""The residents' pages: join an area, leave with one click, choose what arrives.

Each view parses the form, calls the library, renders ``templates/web/``.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from binsite.web.app import service

blueprint = Blueprint("residents", __name__)


@blueprint.get("/")
def index():
    """Every area with its join form."""
    return render_template("web/index.html", areas=service().areas)


@blueprint.get("/aanmelden/<area_id>/")
def join_form(area_id: str):
    area = service().area(area_id)
    if area is None:
        abort(404)
    return render_template("web/join.html", area=area, values={}, errors={})
