"""Conversion to IDF, the format of the SEAScope viewer, with the idf-converter command.

``convert_to_idf(dataset_id, paths, working_directory)`` in
:mod:`geospaas_processing.converters.idf.converter` is the entry point.
"""
