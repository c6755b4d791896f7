"""Sub-commands of `anju`; each module exports COMMANDS: list[anju.cli.Command]."""
