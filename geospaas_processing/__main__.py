"""``python -m geospaas_processing``: the package's main command."""

from geospaas_processing.cli.main import main

raise SystemExit(main())
