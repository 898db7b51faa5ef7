"""Start the papo server from a fresh clone: ``python servidor.py [--port 12345] [--help]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from papo.server.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
