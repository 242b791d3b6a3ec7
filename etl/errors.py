"""Errors a user can act on: the CLI prints them as one `error:` line."""


class UserError(Exception):
    """Input rejected or data error (exit 1). The message names what, where, and what to do."""


class UsageError(Exception):
    """The command was called wrongly (exit 2)."""
