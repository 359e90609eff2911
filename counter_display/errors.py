"""One exception base for the output devices, translated to a log line or a screen message."""

from __future__ import annotations


class DisplayError(Exception):
    """Something the device cannot do; the message is for the hall's technician."""


class ServerRefused(DisplayError):
    """The server refused this device (not paired, or unpaired since)."""


class WrongServer(DisplayError):
    """The server's certificate is not the one pinned at pairing."""
