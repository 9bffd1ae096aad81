"""The package's own model: results of processing recorded against catalog datasets."""

from __future__ import annotations

from django.db import models

from geospaas_processing.catalog.models import Dataset


class ProcessingResult(models.Model):
    """A file or folder produced from a dataset (a Syntool granule, an IDF folder...).

    ``path`` is unique: one record per result. ``ttl``, when set, is how long
    after ``created`` the result may be removed by the clean-up tasks.
    """

    class ProcessingResultType(models.TextChoices):
        SYNTOOL = 'syntool', 'Syntool'
        IDF = 'idf', 'IDF'

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE)
    path = models.CharField(unique=True, blank=False, max_length=500)
    type = models.CharField(max_length=20, choices=ProcessingResultType.choices)
    created = models.DateTimeField(auto_now_add=True)
    ttl = models.DurationField(blank=True, null=True)

    def __str__(self) -> str:
        return f'{self.type}: {self.path}'
