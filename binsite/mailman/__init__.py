"""Talking to GNU Mailman 3: settings, a small adapter with timeouts and
retries, lists sync and member counts (the private local Mailman for the demo
and the tests is in ``binsite.devtools``).

Mailman Core itself is a server in its own virtual environment; binsite only
needs ``mailmanclient`` and the standard library to talk to it.
"""
