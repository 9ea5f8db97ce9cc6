"""CodeDesk's engine. Nothing in this package imports Qt."""
