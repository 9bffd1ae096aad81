"""GCMD vocabularies (platforms, instruments, parameters, ...) with the GeoSPaaS schema."""
