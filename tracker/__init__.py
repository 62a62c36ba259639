"""tracker: keep officials' pledges and the events that bear on them, and score them."""

__version__ = "0.1.0"
