"""Sending bulletins to the Mailman lists, exactly once.

``plan`` decides what to send (pure), ``compose`` builds each message (pure),
``ledger`` remembers what Mailman accepted (one durable line per message),
and ``run`` performs a plan: post, record, next.
"""
