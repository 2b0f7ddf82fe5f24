"""``python -m awscore``: the same entry point as the ``awscore`` console script."""

from awscore.cli.__main__ import main

raise SystemExit(main())
