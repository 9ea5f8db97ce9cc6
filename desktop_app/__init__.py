"""CodeDesk: an offline desktop reference for US medical procedure codes."""

import logging

__version__ = "0.1.0"

# Silent until an entry point configures logging (desktop_app.core.logs): a library never prints on its own.
logging.getLogger(__name__).addHandler(logging.NullHandler())
