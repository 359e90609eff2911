"""The kiosk's Qt screens; they read :class:`kiosk.view.View` and call the controller."""
