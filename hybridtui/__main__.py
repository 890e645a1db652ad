"""`python -m hybridtui` runs the same entry point as the `hybridtui` script."""

from hybridtui.cli import main

raise SystemExit(main())
