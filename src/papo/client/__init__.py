"""The terminal client: the server's JSON events shown for people, typed lines sent back."""
