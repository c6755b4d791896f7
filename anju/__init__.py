"""Composition root: settings, the `anju` command line and the wiring of every part."""
