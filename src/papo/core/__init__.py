"""The chat's rules: pure, imports only papo.protocol, tested without a network."""
