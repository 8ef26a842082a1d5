"""binsite: a Buurt Informatie Netwerk's bulletins, as a static archive and as mail."""

__version__ = "0.1.0"
