"""For development and the demo only: the local Mailman, the mail sink, ``make demo``'s helpers."""
