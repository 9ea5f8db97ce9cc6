"""The commands of ``codedesk-cli`` (``desktop_app/cli.py`` parses the command line and runs them), one module
per group of commands. Like the CLI, they use the core only."""
