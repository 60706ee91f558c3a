"""``python -m assistant`` runs the command-line interface."""

from assistant.cli import main

if __name__ == "__main__":
    main()
