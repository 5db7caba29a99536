"""Helpers shared by the tests (importable as ``helpers``: tests/ is on sys.path)."""


def json_session(user: str | None = None, password: str | None = None):
    """A requests session speaking JSON, logged in when a user is given."""
    import requests

    session = requests.Session()
    session.headers.update({"Accept": "application/json"})
    if user:
        session.auth = (user, password)
    return session
