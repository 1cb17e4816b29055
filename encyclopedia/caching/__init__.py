"""Everything the public site keeps in a cache, and every key it keeps it under.

``keys.py`` builds every cache key (nothing else does); ``generations.py`` keeps the counters the
keys hold; ``page_cache.py`` caches whole pages; ``publication_cache.py`` publications by pk;
``site_data.py`` the site data every page shows; ``cdn.py`` bumps the counters when what is live
changes and purges the CDN. README.md lists each key: what it holds, what changes it, its
lifetime and its cache. Import the modules (``from encyclopedia.caching import keys``): this
file re-exports nothing.
"""
