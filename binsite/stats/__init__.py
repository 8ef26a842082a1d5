"""The steering group's figures (``figures``) and their charts (``charts``).

Light on purpose: ``binsite stats`` offers ``FORMATS`` without loading the figures."""

FORMATS = ("table", "csv", "json")
