"""The driver process of a go-live and its Unix socket: protocol, server, client, process and registry."""
