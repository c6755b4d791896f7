"""Decoders of the shipped device models: pure functions payload -> contract messages."""
