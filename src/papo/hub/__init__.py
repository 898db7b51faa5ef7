"""Where the state shared by every server of one chat lives (``papo.core.shared``).

``memory``: in this process, the default (``store``: its log in SQLite, ``--store``).
``redis_hub``: in Redis, for several servers as one chat (``--redis``, the ``redis`` extra);
``backplane``: what such a hub and a server say to each other, importable without Redis;
``redis_url``: the ``--redis`` URL checked and shown without its password, likewise.
"""
