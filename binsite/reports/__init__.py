"""Residents' reports on the web (``/melden/<area>/``): the form, the photo, the held message.

The web view (``binsite.web.report``) is a thin edge over these parts:

- ``form.read_report`` (pure): the submitted fields as a ``Report`` or the
  Dutch error of each field; the photo is rebuilt from its pixels by the
  media pipeline (``binsite.source.media``) right here, so the original
  bytes never reach the pending store, Mailman or a partner;
- ``store`` (I/O, one seam): reports waiting for the reporter's
  confirmation, in the service's store (``DatabasePendingReports``);
- ``form.held_message`` (pure): the confirmed report as the mail a resident
  would have sent to the area's list, posted into Mailman over LMTP, where it
  is held for the BINCO like every other report.
"""
