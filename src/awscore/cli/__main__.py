"""Entry point of the ``awscore`` console script and ``python -m awscore.cli``."""

from awscore.cli._app import main

if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["main"]
