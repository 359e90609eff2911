"""The self-service kiosk: ID card → category → printed ticket (PySide6).

Layout (Electrum pattern): :mod:`kiosk.links` runs the reader, printer, server and voice on
worker threads and reports plain events; :mod:`kiosk.bridge` re-emits them as a Qt signal on
the GUI thread; :mod:`kiosk.controller` turns events and taps into a small view model
(:mod:`kiosk.view`) that the screens in :mod:`kiosk.ui` only read.
"""
