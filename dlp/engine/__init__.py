"""The matching engine: YARA candidates, Aho-Corasick context, validation."""
