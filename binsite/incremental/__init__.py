"""The speed machinery behind ``binsite.load``: per-file analysis on all cores, the build
cache, compact pickling, the no-change record, the fork workers."""
