"""Reading the repository's files: settings, areas, bulletins, the files beside them."""
