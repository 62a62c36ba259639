"""The one base class of every error the library raises on purpose."""


class TrackerError(Exception):
    """Something tracker refused or could not do; the message says what, in terms of fields and values."""
