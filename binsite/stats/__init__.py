"""The steering group's figures (``figures``) and their charts (``charts``)."""
