"""Stand-in for django-geo-spaas's ``geospaas.catalog`` app (see ``geospaas``)."""
