"""Stand-in for django-geo-spaas's ``geospaas.vocabularies`` app (see ``geospaas``)."""
