"""What the tests share, one home for each kind of helper (not test modules).

* ``paths``: where the repository, the fixtures, the bundled review and ../shared are;
  ``need_shared`` (skips a test when ../shared is absent).
* ``builders``: the one way to build test data: ``rec`` (a record), ``ris_text`` (records as a
  database's RIS export), ``add_search`` / ``import_records`` (records into a review),
  ``make_review`` (a review folder) and its ready-made kinds (``screening_review``,
  ``app_review``, ``charting_review``), ``write_decisions`` (decision logs).
* ``guides``: the one runner of the docs' examples (``run_guide`` and the pieces it is made of).
* ``servers``: a free port, an ASGI app or a folder served on 127.0.0.1 for a test.
* ``pages``: built HTML pages parsed, and the site fixture's findings read from its YAML.
* ``wait``: ``wait_until``, a poll with a timeout (instead of sleeping and hoping).

Fixtures and markers stay in ``tests/conftest.py``. Import from the module, e.g.
``from support.builders import make_review``.
"""

__all__: list[str] = []
