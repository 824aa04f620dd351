"""The web server: the published notice, the JSON API and health, in one FastAPI app."""

from pledge.web.app import create_app

__all__ = ["create_app"]
