#!/usr/bin/env python3
"""Regenerates modelHash.json: the canonical tensor-set hash of spec/fl.md §1,
computed by an independent Python implementation (struct + hashlib).
Run: python3 packages/fedavg/test/vectors/modelHash.py > packages/fedavg/test/vectors/modelHash.json"""
import hashlib, json, struct

def model_hash(tensors):
    """tensors: list of (name, shape, float values)."""
    h = hashlib.sha256()
    h.update(b"ailo/tensors/v1")
    h.update(struct.pack("<I", len(tensors)))
    for name, shape, values in sorted(tensors, key=lambda t: t[0].encode("utf-8")):
        key = name.encode("utf-8")
        h.update(struct.pack("<I", len(key)) + key)
        h.update(bytes([3]) + b"F32")
        h.update(struct.pack("<I", len(shape)))
        for d in shape:
            h.update(struct.pack("<Q", d))
        h.update(struct.pack("<%df" % len(values), *values))
    return h.hexdigest()

cases = [
    {"name": "one vector", "tensors": [["w", [2], [1.0, 2.0]]]},
    {"name": "empty set", "tensors": []},
    {"name": "scalar and empty tensor", "tensors": [["s", [], [0.5]], ["z", [0, 3], []]]},
    {
        "name": "names sorted by UTF-8 bytes, not UTF-16 (U+FF21 sorts before U+1F600)",
        "tensors": [["\U0001F600", [1], [-1.5]], ["\uFF21", [1], [2.25]], ["b.weight", [2, 2], [1, -2, 3.5, -0.0]], ["a", [3], [1e-30, 3e38, -7]]],
    },
]
for c in cases:
    c["hash"] = model_hash(c["tensors"])
print(json.dumps({"description": " ".join(__doc__.split("Run:")[0].split()), "cases": cases}, indent=2, ensure_ascii=False))
