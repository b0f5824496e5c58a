def strip_trailing_slashes(endpoints: list, **kwargs: object) -> list:
    """Routes accept an optional trailing slash (`/?`); document the canonical form without it."""
    return [
        (path.rstrip("/") or path, path_regex, method, callback) for path, path_regex, method, callback in endpoints
    ]
