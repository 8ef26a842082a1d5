"""Second factors of desk accounts: passkeys, an app's TOTP secret, recovery codes.

Everything the second step keeps sits behind one small interface,
``FactorStore``; ``StoreFactors`` is its implementation on the service's store
(``binsite.store``: ``BINSITE_DATABASE_URL``, else ``state/web.sqlite``), so
every instance sees one truth: per person one JSON document (table
``second_factors``), read and changed in one transaction (``Store.factor_document``),
so of two claims at once exactly one wins.

A person is a role and an address (``person(role, address)``): the key is a
digest, never the address. What a document holds:

- ``passkeys``: the credential id, its public key (COSE), the signature
  counter last seen, a name the person gave and when it was added;
- ``totp``: the base32 secret of the authenticator app, and the time steps
  already used (a code works once, also within its window);
- ``recovery``: salted SHA-256 digests of the ten recovery codes (shown once,
  never stored), each crossed out when used;
- ``challenges``: digests of the WebAuthn challenges already answered (a
  replayed assertion carries one of them).

Wrong codes are counted with the store's rate-limit counters (``Store.hit``:
one count for all instances), ``FAILURES_ALLOWED`` per ``FAILURE_WINDOW``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

ROLES = ("binco", "partner", "beheer")  # the doors: /binco/, /partner/, /beheer/ (administrators)
RECOVERY_CODES = 10
# Wrong codes (app or recovery) allowed per account in the window; then every code is
# refused, right or wrong, until the window has passed.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = 15 * 60
# How long a used TOTP step or a WebAuthn challenge must be remembered: longer than
# the code's window and the challenge's lifetime.
REMEMBER_SECONDS = 15 * 60
MAX_PASSKEYS = 10


@dataclass(frozen=True)
class Passkey:
    credential_id: str      # base64url
    public_key: str         # base64url of the COSE key
    sign_count: int
    name: str
    added: float

    def as_json(self) -> dict[str, object]:
        return {"id": self.credential_id, "key": self.public_key, "count": self.sign_count, "name": self.name,
                "added": self.added}


def _passkey(values: dict) -> Passkey:
    return Passkey(str(values["id"]), str(values["key"]), int(values["count"]), str(values.get("name", "")),
                   float(values.get("added", 0)))


def person(role: str, address: str) -> str:
    """The key of a person at one door: the role and a digest of the address."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    digest = hashlib.sha256(f"binsite-factor\x1f{address.strip().lower()}".encode()).hexdigest()[:32]
    return f"{role}-{digest}"


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters (50 bits each), grouped for reading: ``abcde-fghij``."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


# How the code app names the account (``app_uri``): a person may hold an app code at more than one door.
ROLE_LABELS = {"binco": "BINCO", "partner": "partner", "beheer": "beheerder"}
QR_ERROR = "m"   # segno's error correction level: 15 % of the symbol may be unreadable (a phone's glare)


def app_uri(secret: str, *, issuer: str, role: str, address: str) -> str:
    """The ``otpauth://totp/`` URI a code app reads (Key Uri Format, as pyotp writes it): the issuer
    is the site's title, the account the role and the plain address (the URI is shown only to the
    logged-in person, and an app listing several accounts needs to tell them apart)."""
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=f"{ROLE_LABELS[role]} {address.strip()}",
                                               issuer_name=issuer.strip()[:60] or "BIN")


def qr_svg(text: str, *, label: str) -> str:
    """``text`` as a QR code (segno), an inline ``<svg>`` element: no image request (the service's
    CSP allows images only from itself, no ``data:``), no script; white behind the dark modules,
    four modules of quiet zone, so a phone reads it in a dark theme too. ``label`` names it for
    screen readers (``role="img"``, ``aria-label`` and ``<title>``)."""
    import html

    import segno

    svg = segno.make(text, error=QR_ERROR, micro=False).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code", lineclass=None,
        title=label)
    if not svg.startswith("<svg "):
        raise ValueError("segno wrote no svg element")
    return f'<svg role="img" aria-label="{html.escape(label, quote=True)}" focusable="false" ' + svg[len("<svg "):]


def _normal_code(code: str) -> str:
    return "".join(c for c in code.strip().lower() if c.isalnum())[:40]


def _code_digest(salt: str, code: str) -> str:
    return hmac.new(salt.encode(), _normal_code(code).encode(), hashlib.sha256).hexdigest()


class FactorStore(Protocol):
    """What the second step needs from storage (one implementation on the service's store: ``StoreFactors``)."""

    def passkeys(self, who: str) -> list[Passkey]: ...
    def add_passkey(self, who: str, passkey: Passkey) -> None: ...
    def remove_passkey(self, who: str, credential_id: str) -> bool: ...
    def use_passkey(self, who: str, credential_id: str, old_count: int, new_count: int, challenge: str) -> bool: ...
    def claim_challenge(self, who: str, challenge: str) -> bool: ...
    def totp_secret(self, who: str) -> str | None: ...
    def set_totp(self, who: str, secret: str, codes: list[str]) -> None: ...
    def remove_totp(self, who: str) -> bool: ...
    def claim_totp_step(self, who: str, step: int, *, now: float) -> bool: ...
    def use_recovery(self, who: str, code: str) -> str: ...
    def renew_recovery(self, who: str, codes: list[str]) -> None: ...
    def recovery_left(self, who: str) -> int: ...
    def failed(self, who: str, *, now: float) -> None: ...
    def may_try(self, who: str, *, now: float) -> bool: ...
    def has_factor(self, who: str) -> bool: ...
    def reset(self, who: str) -> bool: ...


class StoreFactors:
    """``FactorStore`` on the service's store (``binsite.store.Store``)."""

    def __init__(self, store) -> None:
        self.store = store

    @staticmethod
    def _key(who: str) -> str:
        if not who or not all(c.isalnum() or c == "-" for c in who) or len(who) > 64:
            raise ValueError("not a person key")
        return who

    def _load(self, who: str) -> dict:
        raw = self.store.factor_read(self._key(who))
        if raw is None:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            # A document that cannot be read holds no factor that could be checked: nobody is
            # let in on it (``has_factor`` is True while it is there).
            return {"broken": True}
        return data if isinstance(data, dict) else {"broken": True}

    @contextmanager
    def _changing(self, who: str) -> Iterator[dict]:
        with self.store.factor_document(self._key(who)) as data:
            yield data

    # --- passkeys ----------------------------------------------------------------------

    def passkeys(self, who: str) -> list[Passkey]:
        found = []
        for values in self._load(who).get("passkeys", []):
            try:
                found.append(_passkey(values))
            except (KeyError, TypeError, ValueError):
                continue
        return found

    def add_passkey(self, who: str, passkey: Passkey) -> None:
        with self._changing(who) as data:
            keys = [k for k in data.setdefault("passkeys", []) if k.get("id") != passkey.credential_id]
            if len(keys) >= MAX_PASSKEYS:
                raise ValueError("too many passkeys")
            data["passkeys"] = [*keys, passkey.as_json()]

    def remove_passkey(self, who: str, credential_id: str) -> bool:
        with self._changing(who) as data:
            keys = data.get("passkeys", [])
            kept = [k for k in keys if k.get("id") != credential_id]
            data["passkeys"] = kept
            return len(kept) != len(keys)

    def use_passkey(self, who: str, credential_id: str, old_count: int, new_count: int, challenge: str) -> bool:
        """Record a verified assertion: the challenge claimed once and the counter moved on,
        only when nobody else used this challenge or moved the counter meanwhile."""
        with self._changing(who) as data:
            used = _fresh(data.get("challenges", {}), _now())
            digest = hashlib.sha256(challenge.encode()).hexdigest()[:32]
            if digest in used:
                return False
            key = next((k for k in data.get("passkeys", []) if k.get("id") == credential_id), None)
            if key is None or int(key.get("count", 0)) != old_count:
                return False
            key["count"] = new_count
            used[digest] = _now()
            data["challenges"] = used
            return True

    def claim_challenge(self, who: str, challenge: str) -> bool:
        """A challenge answered once only (also when its answer was refused)."""
        with self._changing(who) as data:
            used = _fresh(data.get("challenges", {}), _now())
            digest = hashlib.sha256(challenge.encode()).hexdigest()[:32]
            if digest in used:
                return False
            used[digest] = _now()
            data["challenges"] = used
            return True

    # --- the app's code and the recovery codes -------------------------------------------

    def totp_secret(self, who: str) -> str | None:
        secret = self._load(who).get("totp", {}).get("secret")
        return secret if isinstance(secret, str) else None

    def set_totp(self, who: str, secret: str, codes: list[str]) -> None:
        base64.b32decode(secret)  # a programming error otherwise
        salt = secrets.token_hex(16)
        with self._changing(who) as data:
            data["totp"] = {"secret": secret, "steps": {}}
            data["recovery"] = {"salt": salt, "codes": [_code_digest(salt, c) for c in codes]}

    def renew_recovery(self, who: str, codes: list[str]) -> None:
        """New recovery codes in place of all the old ones (used or not): a new salt, so no old
        code matches any more."""
        salt = secrets.token_hex(16)
        with self._changing(who) as data:
            data["recovery"] = {"salt": salt, "codes": [_code_digest(salt, c) for c in codes]}

    def remove_totp(self, who: str) -> bool:
        with self._changing(who) as data:
            had = "totp" in data
            data.pop("totp", None)
            data.pop("recovery", None)
            return had

    def claim_totp_step(self, who: str, step: int, *, now: float) -> bool:
        """The code of time step ``step`` used once; False when it was used before."""
        with self._changing(who) as data:
            totp = data.get("totp")
            if not isinstance(totp, dict):
                return False
            steps = _fresh(totp.get("steps", {}), now)
            if str(step) in steps:
                return False
            steps[str(step)] = now
            totp["steps"] = steps
            return True

    def use_recovery(self, who: str, code: str) -> str:
        """``ok`` (the code crossed out now), ``used`` (crossed out before) or ``wrong``."""
        with self._changing(who) as data:
            recovery = data.get("recovery")
            if not isinstance(recovery, dict) or not _normal_code(code):
                return "wrong"
            digest = _code_digest(str(recovery.get("salt", "")), code)
            codes = list(recovery.get("codes", []))
            for index, known in enumerate(codes):
                if isinstance(known, str) and hmac.compare_digest(known, digest):
                    codes[index] = None  # crossed out: a second use finds nothing
                    recovery["codes"] = codes
                    recovery["used"] = [*recovery.get("used", []), digest]
                    return "ok"
            return "used" if digest in recovery.get("used", []) else "wrong"

    def recovery_left(self, who: str) -> int:
        return sum(1 for c in self._load(who).get("recovery", {}).get("codes", []) if c)

    # --- the limit on wrong codes ---------------------------------------------------------

    def failed(self, who: str, *, now: float) -> None:
        self.store.hit(f"second-factor:{who}", 10 * FAILURES_ALLOWED, FAILURE_WINDOW, now=now)

    def may_try(self, who: str, *, now: float) -> bool:
        return self.store.hits(f"second-factor:{who}", FAILURE_WINDOW, now=now) < FAILURES_ALLOWED

    # --- the whole account -----------------------------------------------------------------

    def has_factor(self, who: str) -> bool:
        data = self._load(who)
        return bool(data.get("broken") or data.get("passkeys") or data.get("totp"))

    def reset(self, who: str) -> bool:
        """Every factor of ``who`` removed (the administrator's ``binsite desk reset-2fa``)."""
        with self._changing(who) as data:
            had = bool(data.get("broken") or data.get("passkeys") or data.get("totp"))
            data.clear()
        return had


def _now() -> float:
    return time.time()


def _fresh(values: object, now: float) -> dict[str, float]:
    """The remembered items not older than ``REMEMBER_SECONDS``."""
    if not isinstance(values, dict):
        return {}
    return {str(k): float(v) for k, v in values.items() if isinstance(v, (int, float)) and v > now - REMEMBER_SECONDS}


def reset_second_factor(root: Path, address: str, *, at: float | None = None) -> list[str]:
    """The administrator's reset (``binsite desk reset-2fa``): every factor of ``address`` at every
    door removed, every session of that address ended, and the reset logged (by the operator,
    with the person's digest). Returns the doors where something was removed."""
    from binsite.desk import logbook, sessions
    from binsite.store import site_store

    store = StoreFactors(site_store(root))
    actors = {"binco": logbook.binco, "partner": logbook.partner, "beheer": logbook.administrator}
    done = []
    for role in ROLES:
        who = person(role, address)
        if store.reset(who):
            done.append(role)
            logbook.record(root, logbook.OPERATOR, logbook.FACTOR_RESET,
                           person=actors[role](address).id, door=role)
    # Whoever holds a session of this address now (the one who lost the phone, or who took it)
    # logs in again with the mailed link, and sets up a new factor.
    sessions.end_every_session(store.store, address, at=time.time() if at is None else at)
    return done
