"""SpamAssassin's score of captured mail: Debian's ``spamassassin``, local tests only.

One ``spamassassin`` process for many messages (``--mbox``; Perl's start-up
and the rules take seconds, a message takes milliseconds): ``-L`` runs no
network test (no DNS blocklists, no Razor/Pyzor), ``-x`` writes no user
preferences, Bayes is off (no training data). The report says each rule that
fired, so a rising score can be read from the test output.
"""

from __future__ import annotations

import mailbox
import re
import subprocess
import tempfile
from pathlib import Path

_STATUS = re.compile(r"^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+) required=[\d.]+ tests=(.*?)(?: autolearn=| version=)",
                     re.MULTILINE | re.DOTALL)


KIND = "X-Binsite-Test-Kind"
_KIND = re.compile(r"^X-Binsite-Test-Kind: (.*)$", re.MULTILINE)


def score(messages: dict[str, bytes], *, timeout: float = 240.0) -> dict[str, tuple[float, str]]:
    """kind -> (score, the rules that fired) for each message, in one SpamAssassin run."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mail.mbox"
        box = mailbox.mbox(path)
        for kind, raw in messages.items():
            box.add(f"{KIND}: {kind}\r\n".encode("ascii") + raw)
        box.flush()
        box.close()
        with open(path, "rb") as source:
            done = subprocess.run(["spamassassin", "-L", "-x", "--cf=use_bayes 0", "--mbox", "-t"], stdin=source,
                                  capture_output=True, timeout=timeout, check=True)
    output = done.stdout.decode("utf-8", "replace")
    found: dict[str, tuple[float, str]] = {}
    # Each message's own headers name its kind: the report is matched by name, not by position.
    for match in _STATUS.finditer(output):
        kind = _KIND.search(output, match.end()).group(1).strip()
        found[kind] = (float(match.group(1)), " ".join(match.group(2).replace(",", " ").split()))
    assert set(found) == set(messages), done.stderr.decode("utf-8", "replace")[-2000:]
    return {kind: found[kind] for kind in messages}
