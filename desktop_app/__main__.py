"""``python -m desktop_app``: the CodeDesk window (same as the ``codedesk`` command)."""

from desktop_app.app import main

raise SystemExit(main())
