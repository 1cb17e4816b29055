"""The signal sent whenever what readers can see of an article changes.

``publication_changed`` is sent by the publishing module (``editorial.publishing``), the only
code that makes a publication live or takes one down, with:

- ``articles``: the articles whose live publication changed, as they stand now;
- ``before``: a dict of each article's primary key to the publication that was live before
  (``None`` if none), so a receiver can tell what readers saw until now.

It is sent inside the transaction that made the change, so a receiver that writes to the
database (the search and A–Z indexes) commits or rolls back with it; receivers that reach
outside the database (the caches, the CDN) act again once it commits. The receivers are
connected in ``EncyclopediaConfig.ready()``.
"""

from django.dispatch import Signal

publication_changed = Signal()
