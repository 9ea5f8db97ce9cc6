"""CodeDesk: an offline desktop reference for US medical procedure codes."""

__version__ = "0.1.0"
