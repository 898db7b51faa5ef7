"""The IRC front door: IRC clients (irssi, WeeChat, HexChat) in papo's rooms, as channels."""
