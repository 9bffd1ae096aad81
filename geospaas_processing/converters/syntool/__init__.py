"""Conversion of datasets for Syntool portals and registration in the portal database."""
