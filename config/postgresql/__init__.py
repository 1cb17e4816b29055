"""Django's PostgreSQL backend whose health check asks the socket, the server once a second (``base``)."""
