"""``binsite mail-config``: the Postfix and OpenDKIM files for a BIN's list domain.

Pure renderers (``render``) and one writer (``write_mail_config``). The
production chapter of ``docs/beheer.md`` shows these files, and the rehearsal
test tier (``tests/rehearsal``) runs Debian's Postfix and OpenDKIM from the
very same functions, with loopback ports and private folders instead of the
system's: what the docs show is what the tests run.

- Postfix hands list mail to Mailman over LMTP and signs everything that
  leaves through the OpenDKIM milter; unsigned mail is held back
  (``milter_default_action = tempfail``), never sent.
- OpenDKIM signs the list domain with relaxed canonicalisation, and the
  signature covers ``From``, ``List-Id``, ``List-Unsubscribe`` and
  ``List-Unsubscribe-Post`` (RFC 8058 asks for the last two); those are also
  *oversigned*, so nobody on the way can add a second one.
- ``dns.txt``: SPF, DKIM and DMARC records to publish (DKIM's public key is
  filled in from ``opendkim-genkey``'s ``<selector>.txt`` when it is there).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# Header fields the DKIM signature covers (RFC 6376 5.4's list, plus RFC 8058's).
SIGNED_HEADERS = ("From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
                  "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Id", "List-Help",
                  "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe", "List-Post", "List-Owner",
                  "List-Archive")
OVERSIGNED_HEADERS = ("From", "Subject", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")


@dataclass(frozen=True)
class MailSetup:
    """What differs between one BIN's mail server and another's (and the rehearsal's)."""

    domain: str                      # mail.domain of binsite.yaml
    hostname: str                    # the server's name, with forward and reverse DNS
    selector: str = "bin"
    key_dir: str = "/etc/opendkim/keys"
    lmtp: str = "127.0.0.1:8024"     # Mailman's LMTP
    listen: str = "all"              # Postfix's inet_interfaces
    smtp_listen: str = "smtp"        # master.cf's smtpd service (port 25)
    milter: str = "127.0.0.1:8891"   # OpenDKIM's socket
    relayhost: str = ""              # empty: deliver directly (production)
    max_message_bytes: int = 10_240_000
    # A private Postfix instance (the rehearsal): its folders; empty for Debian's own.
    instance_dir: str = ""
    mailman_data: str = "/var/lib/mailman3/data"

    @property
    def key_file(self) -> str:
        return f"{self.key_dir}/{self.domain}/{self.selector}.private"


def postfix_main_cf(setup: MailSetup) -> str:
    milter_host, _, milter_port = setup.milter.rpartition(":")
    lines = [
        "# Written by binsite mail-config: Postfix for the BIN list domain " + setup.domain + ".",
        "compatibility_level = 3.6",
        f"myhostname = {setup.hostname}",
        f"mydomain = {setup.domain}",
        "myorigin = $mydomain",
        f"inet_interfaces = {setup.listen}",
        "mynetworks = 127.0.0.0/8 [::1]/128",
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
        f"message_size_limit = {setup.max_message_bytes}",
        "",
        "# Everything that leaves is signed by OpenDKIM; unsigned mail waits (tempfail), never goes out.",
        f"smtpd_milters = inet:{milter_host}:{milter_port}",
        "non_smtpd_milters = $smtpd_milters",
        "milter_protocol = 6",
        "milter_default_action = tempfail",
        "",
    ]
    if setup.instance_dir:
        base = setup.instance_dir
        lines += [
            "# A private instance on loopback (binsite's rehearsal), beside the system's Postfix.",
            f"queue_directory = {base}/queue",
            f"data_directory = {base}/data",
            f"maillog_file = {base}/postfix.log",
            f"maillog_file_prefixes = {base}",
            "inet_protocols = ipv4",
            "mydestination =",
            "smtp_tls_security_level = none",
            "smtpd_tls_security_level = none",
            "",
        ]
    else:
        lines += [
            "# Mailman 3: mail for the lists goes to Mailman over LMTP (Mailman writes these maps).",
            "recipient_delimiter = +",
            "unknown_local_recipient_reject_code = 550",
            "owner_request_special = no",
            f"transport_maps = hash:{setup.mailman_data}/postfix_lmtp",
            f"local_recipient_maps = hash:{setup.mailman_data}/postfix_lmtp",
            f"relay_domains = hash:{setup.mailman_data}/postfix_domains",
            "",
            "# TLS when the other side offers it (Gmail and others ask for it).",
            "smtp_tls_security_level = may",
            "smtpd_tls_security_level = may",
            "",
        ]
    if setup.relayhost:
        lines += [f"relayhost = {setup.relayhost}", ""]
    return "\n".join(lines)


def postfix_master_cf(setup: MailSetup) -> str:
    """master.cf of a private instance (production keeps Debian's own master.cf)."""
    services = [
        (setup.smtp_listen, "inet", "n", "-", "n", "-", "-", "smtpd"),
        ("pickup", "unix", "n", "-", "n", "60", "1", "pickup"),
        ("cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"),
        ("qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"),
        ("rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"),
        ("bounce", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("defer", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("trace", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("verify", "unix", "-", "-", "n", "-", "1", "verify"),
        ("flush", "unix", "n", "-", "n", "1000?", "0", "flush"),
        ("proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"),
        ("smtp", "unix", "-", "-", "n", "-", "-", "smtp"),
        ("relay", "unix", "-", "-", "n", "-", "-", "smtp"),
        ("showq", "unix", "n", "-", "n", "-", "-", "showq"),
        ("error", "unix", "-", "-", "n", "-", "-", "error"),
        ("retry", "unix", "-", "-", "n", "-", "-", "error"),
        ("discard", "unix", "-", "-", "n", "-", "-", "discard"),
        ("local", "unix", "-", "n", "n", "-", "-", "local"),
        ("lmtp", "unix", "-", "-", "n", "-", "-", "lmtp"),
        ("anvil", "unix", "-", "-", "n", "-", "1", "anvil"),
        ("scache", "unix", "-", "-", "n", "-", "1", "scache"),
        ("postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"),
    ]
    return "# Written by binsite mail-config.\n" + "".join(" ".join(row) + "\n" for row in services)


def opendkim_conf(setup: MailSetup, *, folder: str) -> str:
    """``folder``: where the tables (KeyTable, SigningTable, TrustedHosts) are."""
    milter_host, _, milter_port = setup.milter.rpartition(":")
    lines = [
        "# Written by binsite mail-config: OpenDKIM signs mail of " + setup.domain + ".",
        "Mode                    sv",
        "Canonicalization        relaxed/relaxed",
        "SignatureAlgorithm      rsa-sha256",
        "MinimumKeyBits          1024",
        f"Socket                  inet:{milter_port}@{milter_host}",
        f"KeyTable                refile:{folder}/KeyTable",
        f"SigningTable            refile:{folder}/SigningTable",
        f"ExternalIgnoreList      refile:{folder}/TrustedHosts",
        f"InternalHosts           refile:{folder}/TrustedHosts",
        "# RFC 8058: the one-click unsubscribe headers inside the signature, and oversigned.",
        "SignHeaders             " + ",".join(h.lower() for h in SIGNED_HEADERS),
        "OversignHeaders         " + ",".join(h.lower() for h in OVERSIGNED_HEADERS),
        "UMask                   007",
    ]
    if setup.instance_dir:
        # The rehearsal's key lies below /tmp (writable by all): production keeps the check.
        lines += [f"PidFile                 {setup.instance_dir}/opendkim.pid", "Syslog                  no",
                  "RequireSafeKeys         false"]
    else:
        lines += ["PidFile                 /run/opendkim/opendkim.pid", "Syslog                  yes",
                  "UserID                  opendkim"]
    return "\n".join(lines) + "\n"


def tables(setup: MailSetup) -> dict[str, str]:
    key = f"{setup.selector}._domainkey.{setup.domain}"
    return {
        "KeyTable": f"{key} {setup.domain}:{setup.selector}:{setup.key_file}\n",
        # The list domain and its subdomains (LIST-bounces@, LIST-owner@, the sender).
        "SigningTable": f"*@{setup.domain} {key}\n",
        "TrustedHosts": "127.0.0.1\n::1\nlocalhost\n",
    }


def dkim_public_key(txt: str) -> str:
    """The ``p=...`` value from opendkim-genkey's ``<selector>.txt`` (quoted pieces joined)."""
    joined = "".join(re.findall(r'"([^"]*)"', txt))
    match = re.search(r"p=([A-Za-z0-9+/=]+)", joined)
    return match.group(1) if match else ""


def dns_records(setup: MailSetup, public_key: str = "") -> str:
    key = public_key or "(de p=-waarde uit " + setup.selector + ".txt van opendkim-genkey)"
    return "\n".join([
        f"; DNS for {setup.domain} (binsite mail-config). Replace 192.0.2.25 by the server's address.",
        f"{setup.hostname}. IN A 192.0.2.25",
        f"{setup.domain}. IN MX 10 {setup.hostname}.",
        f'{setup.domain}. IN TXT "v=spf1 mx -all"',
        f'{setup.selector}._domainkey.{setup.domain}. IN TXT "v=DKIM1; k=rsa; p={key}"',
        f'_dmarc.{setup.domain}. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@{setup.domain}; adkim=s; aspf=s"',
        "",
    ])


def render(setup: MailSetup, *, opendkim_folder: str, public_key: str = "") -> dict[str, str]:
    """Relative file name -> text, for everything ``write_mail_config`` writes. Pure."""
    files = {
        "postfix/main.cf": postfix_main_cf(setup),
        "opendkim/opendkim.conf": opendkim_conf(setup, folder=opendkim_folder),
        "dns.txt": dns_records(setup, public_key),
    }
    if setup.instance_dir:
        files["postfix/master.cf"] = postfix_master_cf(setup)
    files.update({f"opendkim/{name}": text for name, text in tables(setup).items()})
    return files


def write_mail_config(setup: MailSetup, out: Path) -> list[Path]:
    """Write the files under ``out`` (temp file then rename each); returns them."""
    out = out.resolve()
    public_key = ""
    txt = Path(setup.key_dir) / setup.domain / f"{setup.selector}.txt"
    if txt.is_file():
        public_key = dkim_public_key(txt.read_text(encoding="utf-8"))
    written = []
    for relative, text in render(setup, opendkim_folder=str(out / "opendkim"), public_key=public_key).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written
