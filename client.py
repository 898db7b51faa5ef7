"""Start the papo client from a fresh clone: ``python client.py [--host H] [--port P]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from papo.client.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
