"""The Kubernetes API sandbox: a small API server that kubectl and the official client work against."""
