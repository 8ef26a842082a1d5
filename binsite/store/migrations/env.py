"""Alembic's environment for binsite's store: run on the connection the store hands over
(``binsite.store.Store.upgrade``), never from a URL in a file."""

from __future__ import annotations

from alembic import context

from binsite.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
