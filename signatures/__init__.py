"""Signature data shipped with dlp: YARA rules (``*.yar``) and keyword lists (``keywords/*.txt``).

Installed as the package ``dlp.signatures``; read with ``importlib.resources``.
"""
