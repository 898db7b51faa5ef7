"""Where the state shared by every server of one chat lives (``papo.core.shared``).

``memory``: in this process, the default. A Redis hub (several servers, one chat) comes later
behind the same interface.
"""
