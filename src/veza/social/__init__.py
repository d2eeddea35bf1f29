"""The social feed and trending tags: GET /social/trending (service.py: the sources, the window,
one count per author, the cache; repository.py: the public rows it reads)."""
