import sys

from flask_token_lint.cli import main

sys.exit(main())
