"""``make demo``'s login links: the example BINCO of one area (the browser desk), one
wijkagent (the partners' door, ``/partner/``), the example administrator (``/beheer/``); and the residents' report form of that area
(``/melden/<gebied>/``).

The web service that ``make demo`` starts (``binsite.devtools.local_web``) keeps
its port in ``web.json`` and shares the local Mailman's secret; with them this signs a login token (``binsite.tokens.LOGIN``: 15 minutes, works
once) for the first coordinator of the first area, as the desk would mail it.

    python -m binsite.devtools.desk_demo [--root DIR]
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

from binsite import tokens
from binsite.devtools.local_mailman import STATE_DIR
from binsite.devtools.local_web import REMOTE_DIR, LocalWeb
from binsite.i18n import current_language, t
from binsite.source.network import load_network


def login_link(root: Path, state_dir: Path | None = None, *, partner: bool = False,
               administrator: bool = False) -> tuple[str, str, str] | None:
    """``(area name, address, link)`` for the first area's BINCO (``partner``: the first
    wijkagent of an area; ``administrator``: the first of binsite.yaml's ``administrators``,
    area name "" since that door is for every area), or None when the demo's web service is
    not there (or the role has nobody)."""
    folder = (state_dir or root / STATE_DIR).resolve()
    try:
        port = int(json.loads((folder / "web.json").read_text())["port"])
        secret = LocalWeb(root, folder).secret()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    network = load_network(root)
    if network.config is None or len(secret) < tokens.MIN_SECRET_BYTES:
        return None
    if administrator:
        if not network.config.administrators:
            return None
        address = network.config.administrators[0].strip().lower()
        token = tokens.sign(secret, tokens.ADMIN_LOGIN, (address, secrets.token_urlsafe(18)))
        return "", address, tokens.link(f"http://127.0.0.1:{port}/", tokens.ADMIN_LOGIN, token)
    if partner:
        found = next(((a, p.address) for a in network.areas for p in a.partners
                      if p.role.lower() in ("politie", "wijkagent")), None)
        purpose = tokens.PARTNER_LOGIN
    else:
        found = next(((a, a.coordinators[0]) for a in network.areas if a.coordinators), None)
        purpose = tokens.LOGIN
    if found is None:
        return None
    area, address = found[0], found[1].strip().lower()
    token = tokens.sign(secret, purpose, (address, secrets.token_urlsafe(18)))
    return area.name, address, tokens.link(f"http://127.0.0.1:{port}/", purpose, token)


def report_url(root: Path, state_dir: Path | None = None) -> tuple[str, str] | None:
    """``(area name, URL of its report form)`` on the demo's web service, or None when it is not there."""
    folder = (state_dir or root / STATE_DIR).resolve()
    try:
        port = int(json.loads((folder / "web.json").read_text())["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    network = load_network(root)
    area = next((a for a in network.areas if a.coordinators), None)
    if area is None:
        return None
    return area.name, f"http://127.0.0.1:{port}/melden/{area.id}/"


def main(argv: list[str]) -> int:
    lang = current_language()
    root = Path(argv[argv.index("--root") + 1]) if "--root" in argv else Path.cwd()
    found = login_link(root)
    if found is None:
        print(t("Balie: de webdienst van de demo draait niet; geen inloglink.",
                "Desk: the demo's web service is not running; no login link.").get(lang))
        return 0
    name, address, link = found
    print(t("Balie voor de BINCO van {a} ({m}), 15 minuten geldig, één keer: {l}",
            "Desk for the BINCO of {a} ({m}), valid 15 minutes, once: {l}", a=name, m=address, l=link).get(lang))
    agent = login_link(root, partner=True)
    if agent is not None:
        name, address, link = agent
        print(t("Partnerbalie voor de wijkagent van {a} ({m}), 15 minuten geldig, één keer: {l}",
                "Partners' desk for the community officer of {a} ({m}), valid 15 minutes, once: {l}",
                a=name, m=address, l=link).get(lang))
        print(t("Tweede stap (passkey of code-app) proberen: de rollen van de demo staan op 'optional' "
                "(second_factor in binsite.yaml). Open de link met localhost in plaats van 127.0.0.1 "
                "(passkeys werken niet op een IP-adres), kies 'Beveiliging' en 'Passkey toevoegen'; zonder "
                "passkey op deze computer geeft Chromium er een (DevTools, paneel WebAuthn). Log daarna uit "
                "en opnieuw in: nu vraagt de balie de tweede stap.",
                "Try the second step (passkey or code app): the demo's roles are 'optional' (second_factor in "
                "binsite.yaml). Open the link with localhost instead of 127.0.0.1 (passkeys do not work on an "
                "IP address), choose 'Security' and 'Add a passkey'; without a passkey on this computer "
                "Chromium gives you one (DevTools, WebAuthn panel). Then log out and in again: now the desk "
                "asks for the second step.").get(lang))
    admin = login_link(root, administrator=True)
    if admin is not None:
        print(t("Beheerdersbalie (inzage en wissen voor de AVG, alle gebieden) voor {m}, 15 minuten geldig, "
                "één keer: {l}",
                "Administrator's door (AVG access and erasure, every area) for {m}, valid 15 minutes, once: {l}",
                m=admin[1], l=admin[2]).get(lang))
    remote = (root / STATE_DIR / REMOTE_DIR).resolve()
    print(t("Publiceren op de balie maakt een commit in {r} (git --git-dir={r} log --stat main).",
            "Publishing at the desk commits to {r} (git --git-dir={r} log --stat main).", r=remote).get(lang))
    report = report_url(root)
    if report is not None:
        print(t("Meldformulier voor bewoners van {a}: {u}", "Report form for residents of {a}: {u}",
                a=report[0], u=report[1]).get(lang))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
