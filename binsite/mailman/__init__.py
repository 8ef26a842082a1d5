"""Talking to GNU Mailman 3: settings, a small adapter with timeouts and
retries, a private local Mailman for the demo and the tests, and lists sync.

Mailman Core itself is a server in its own virtual environment; binsite only
needs ``mailmanclient`` and the standard library to talk to it.
"""
