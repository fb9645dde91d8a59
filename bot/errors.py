"""One error hierarchy. Services raise `UserError`s whose text a member may read; the single
app-command error path (bot/interaction_errors.py) turns them into ephemeral replies."""


class FmgError(Exception):
    """Base of every error fmg-bot raises on purpose."""


class ConfigError(FmgError):
    """A missing or malformed setting; the message names the variable."""


class SchemaTooNewError(FmgError):
    """The database was written by a newer fmg-bot; it is refused, never altered."""


class TransactionError(FmgError):
    """A transaction used wrongly: nested in the same task, or used after it ended."""


class UserError(FmgError):
    """Something the member can fix; ``str(error)`` is shown to them ephemerally."""


class InvalidInput(UserError):
    """The member typed something we cannot use."""


class NotFound(UserError):
    """The thing the member named does not exist (or not for them)."""


class Conflict(UserError):
    """The action clashes with the current state (already joined, no capacity left...)."""


class Forbidden(UserError):
    """The member may not do this."""
