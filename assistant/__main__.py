"""``python -m assistant`` runs the command-line interface."""

from assistant.frontends.cli import main

if __name__ == "__main__":
    main()
