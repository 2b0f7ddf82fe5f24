"""awscore: typed, pure-Python reference implementations of AWS's core algorithms.

Each capability lives in its own subpackage (``awscore.sigv4``, ...) with its public
names in ``__all__``. This top-level package only carries the version and the error
hierarchy, so ``import awscore`` stays cheap.
"""

from awscore import errors
from awscore.errors import AwsCoreError

__version__ = "0.1.0"

__all__ = ["AwsCoreError", "__version__", "errors"]
