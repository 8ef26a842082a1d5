"""The BINCO's desk: held messages (``inbox``) and subscriptions (``members``).

Pure parts: ``refs`` (short references tied to list and Message-ID),
``textify`` (HTML to readable text), ``message`` (a held message as text,
attachments listed), ``anonymize`` (a resident's identity removed). The parts
that talk to Mailman: ``inbox`` and ``members``, over ``binsite.mailman.client``.
"""
