"""Read by gunicorn from the working directory (the Procfile's `web`, the fault suite's stack).

gunicorn answers a request line longer than `limit_request_line` itself, with an HTML 414, before
the application sees it. Its maximum (8190 bytes) lets every URL a client may reasonably send
reach the API, which refuses bad query parameters in its JSON error envelope."""

limit_request_line = 8190
