"""The self-hoster's library: `veza import` of a music folder, and the albums and artists its
tags make browsable.

walker.py finds the files under a folder (no symlink leads out of it); album_tags.py reads what
media/tags.py does not (album artist, track and disc numbers, compilation); service.py ingests
one file through the upload pipeline (the same probe, quota, storage and processing job) and
skips a file whose content was imported before; importer.py drives a whole folder with a
progress bar and the end-of-run report; repository.py holds the queries of imported files and
of albums and artists (an album is the tracks sharing album and album artist).
"""
