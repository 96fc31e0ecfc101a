"""The scanning engine's Python side: the native core's spec and output (core.py, lane.py),
and the signature rules (YARA) with their literal prefilter (rules.py, prefilter.py)."""
