"""CodeDesk's bundled data (installed as ``desktop_app.resources``); this file only makes it a package."""
