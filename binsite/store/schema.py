"""The store's tables (SQLAlchemy Core), as the migrations in ``migrations/versions`` make them.

Nothing here holds an e-mail address, a session id, a login nonce or a client
address in clear: ``claims`` and ``ended_sessions`` keep digests (as the state
files did), ``rate_hits`` keeps a digest of the limiter's key, the logbook what its file held (roles, digests,
times; never content or a resident's address). The spool keeps
a list id and a Mailman member id (as its files did) until the request is done.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# What was used once (a login link's nonce): of two claims of one digest, one wins.
claims = sa.Table(
    "claims", metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)

# A desk session logged out (kind "ended": digest of its id) or every session of an
# address begun before ``at`` (kind "before": digest of the address).
ended_sessions = sa.Table(
    "ended_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ended_sessions_digest", "digest", "at"),
)

# One-click unsubscribes answered and not yet done at Mailman. ``owner``/``claimed``:
# the process doing it now; a claim older than the lease is taken over.
spool = sa.Table(
    "spool", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("list_id", sa.String(255), nullable=False),
    sa.Column("member_id", sa.String(255), nullable=False),
    sa.Column("added", sa.Float, nullable=False),
    sa.Column("owner", sa.String(64), nullable=True),
    sa.Column("claimed", sa.Float, nullable=True),
    sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
)

# One row per counted hit of a rate limit (a sliding window, exact across instances).
rate_hits = sa.Table(
    "rate_hits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("rate_hits_key", "key", "at"),
)

# The desk's logbook (binsite.desk.logbook): one JSON line per desk action, in the order written.
logbook = sa.Table(
    "logbook", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("line", sa.Text, nullable=False),
    sa.Index("logbook_action", "action"),
)

# The desk's second step (binsite.desk.factors): per person (a role and a digest of the
# address) one JSON document of passkeys, the app's secret, recovery code digests, what was used.
second_factors = sa.Table(
    "second_factors", metadata,
    sa.Column("person", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)

# When each desk session was used (binsite.desk.sessions): digests, a short device name, times.
sessions_seen = sa.Table(
    "sessions_seen", metadata,
    sa.Column("session", sa.String(64), primary_key=True),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("device", sa.String(64), nullable=False),
    sa.Column("first", sa.Float, nullable=False),
    sa.Column("last", sa.Float, nullable=False),
    sa.Index("sessions_seen_address", "address", "last"),
)

# The state files read in once (``binsite.store.files``), and how many items each gave.
imported = sa.Table(
    "imported", metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# The partners' door's records (binsite.desk.partners): one JSON record per row, in the order
# written (a forwarded report, an answer, a status, a notice, a decision). A forwarded report's
# row holds the reporter's address, as its file did, for the status mail only.
partner_records = sa.Table(
    "partner_records", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Index("partner_records_key", "key"),
)

# Where a resident's membership moved (binsite.mailman.moves): Mailman's opaque ids only.
member_moves = sa.Table(
    "member_moves", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("from_list", sa.String(255), nullable=False),
    sa.Column("from_member", sa.String(64), nullable=False),
    sa.Column("to_list", sa.String(255), nullable=False),
    sa.Column("to_member", sa.String(64), nullable=False),
)

# Web reports waiting for the reporter's confirmation (binsite.reports.store): the report as
# JSON (the reporter's address, the rebuilt photo), as its 0600 file held it; ``taken`` while
# one process hands it to Mailman.
pending_reports = sa.Table(
    "pending_reports", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("added", sa.Float, nullable=False),
    sa.Column("taken", sa.Float, nullable=True),
)
