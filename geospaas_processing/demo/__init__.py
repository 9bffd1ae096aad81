"""The demo: a small realistic catalog with real netCDF files, served on loopback."""
