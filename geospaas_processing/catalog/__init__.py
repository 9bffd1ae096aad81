"""The GeoSPaaS catalog: datasets, their sources, footprints and URIs."""
