"""The web side: clerk console, hall wall, manager dashboard, login (server-rendered, no CDN)."""
