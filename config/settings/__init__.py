"""Settings package: base is shared; local, production and test build on it."""
