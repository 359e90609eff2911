"""Output devices: counter screens (窗口屏), the hall wall (综合屏), voice announcers (播报器).

One app, ``yihao-display --role counter|wall|voice``: it advertises itself by mDNS (or
registers with ``--server URL``), pairs with the PIN it shows, then keeps one authenticated
push connection to its server. Imports only ``caller_server.protocol`` and ``drivers.voice``.
"""
