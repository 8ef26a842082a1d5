"""The web service (``binsite web``, gunicorn in production): one more edge.

A thin layer over the library, like ``binsite/cli/``: each view parses a form,
calls one ``binsite`` function and renders a template from ``templates/web/``.
``app.create_app(root)`` builds the Flask application from ``binsite.yaml`` and
the environment; every audience is one blueprint in its own module, listed in
``BLUEPRINTS`` (a module that is not there yet is skipped), so the residents'
pages (``residents.py``) and the BINCO's desk (``desk.py``) grow side by side.

Mailman is the record of members and every link carries a signed token
(``binsite.tokens``); what the service must remember itself (the desk's
logbook, login claims, ended sessions, the one-click spool, rate-limit hits)
is in one store that every instance shares (``binsite.store``), so instances
can run side by side on several servers.
"""

# "module:attribute" of each blueprint, registered in this order.
BLUEPRINTS = (
    "binsite.web.residents:blueprint",
    "binsite.web.report:blueprint",
    "binsite.web.desk:blueprint",
    "binsite.web.partner:blueprint",
    "binsite.web.partner:binco_side",
    "binsite.web.admin:blueprint",
    "binsite.web.factors:blueprint",
)
