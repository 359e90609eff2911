"""Output devices on the LAN: mDNS discovery and advertising, pairing."""
