"""The web workbench: `datamonger serve`. See docs/web.md."""

from datamonger.web.app import create_app
from datamonger.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
