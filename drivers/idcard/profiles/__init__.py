"""Built-in PC/SC reader profiles (JSON data, loaded by :mod:`drivers.idcard.profile`)."""
