"""Rows 2 to 4: many 256 KiB files, against ``aria2c -j16``, to a given directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import _harness as h

FILE_SIZE = 256 * 1024


def compare(
    row: str,
    name: str,
    count: int,
    runs: int,
    out_parent: str,
    *,
    throttled: bool = False,
    our_flags: tuple[str, ...] = (),
    provider_limit: int | None = None,
    target: str = '',
) -> None:
    """Download ``count`` files with aria2c and with geospaas-download, alternately.

    The files go under ``out_parent`` (``/dev/shm``: tmpfs, so that only CPU counts;
    ``/var/tmp``: the disk). With ``throttled``, from the nginx server limiting each
    connection's bandwidth. ``provider_limit`` sets the provider's ``max_parallel_downloads``
    in our provider settings (aria2c has no such setting: it is told ``-j`` only).
    """
    aria2c = h.need('aria2c', 'aria2')
    with (
        tempfile.TemporaryDirectory(prefix='bench_many_', dir='/var/tmp') as root,
        tempfile.TemporaryDirectory(prefix='bench_many_out_', dir=out_parent) as out_root,
    ):
        root_path, out = Path(root), Path(out_root)
        data, work = root_path / 'data', root_path / 'work'
        data.mkdir()
        work.mkdir()
        h.world_readable(data)
        block = bytearray(os.urandom(FILE_SIZE))
        for index in range(count):
            block[:8] = index.to_bytes(8, 'big')  # every file different
            (data / f'{index:06d}.bin').write_bytes(block)
        with h.Nginx(work / 'nginx', data) as nginx:
            base = nginx.throttled if throttled else nginx.base
            urls = [f'{base}/{index:06d}.bin' for index in range(count)]
            url_list = work / 'urls.txt'
            url_list.write_text(''.join(f'{url}\n' for url in urls))
            extra = {}
            if provider_limit is not None:
                settings = work / 'providers.yml'
                settings.write_text(f"'{base}':\n  max_parallel_downloads: {provider_limit}\n")
                extra['GEOSPAAS_PROCESSING_PROVIDER_SETTINGS_PATH'] = str(settings)
            env = h.our_env(work, **extra)
            h.sqlite_catalog(env, urls)
            anchor = [aria2c, '-q', '-j16', '-i', str(url_list), '-d', str(out / 'aria2c')]
            comparison = h.alternate(
                row,
                'aria2c -j16',
                lambda: h.timed(anchor),
                lambda: h.timed(h.geospaas_download(out / 'ours', *our_flags), env=env),
                runs,
                before_each=lambda: h.remove(out / 'aria2c', out / 'ours'),
            )
            h.remove(out / 'aria2c', out / 'ours')
    comparison.print(target)
    comparison.save(name, count=count, file_size=FILE_SIZE, our_flags=list(our_flags))
