"""Reading inputs: encodings and chunked streams (document extractors plug in here)."""
