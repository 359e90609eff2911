"""The Qt screens of the output devices (PySide6): a bridge, the counter screen, the wall."""
