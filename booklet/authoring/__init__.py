"""The authors' tools around the pipeline: check, new, init, watch, JSON Schemas."""
