"""Reading inputs: what they are, and the text inside them.

- :mod:`~dlp.extract.sniff`: the kind of an input from its first bytes (libmagic).
- Plain text: :mod:`~dlp.extract.encoding` and :mod:`~dlp.extract.stream` (windows
  over the raw or transcoded bytes).
- Documents and containers: one extractor module per format, all with the
  interface of :mod:`~dlp.extract.base` (segments with a location, and members),
  chosen by :mod:`~dlp.extract.registry` and run by :mod:`~dlp.extract.documents`
  within the limits of :mod:`~dlp.extract.limits`.
"""
