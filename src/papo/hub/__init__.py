"""Where the room's decisions go: the connections that should receive them.

Today there is one hub, the local one (every recipient lives in this process). It is the seam
where a Redis backplane plugs in later (DESIGN.md, "Scaling past one machine"): the server only
ever calls ``attach``, ``detach``, ``deliver`` and ``tell_everyone``.
"""
