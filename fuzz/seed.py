#!/usr/bin/env python3
"""Writes starting corpora into fuzz/corpus/<target>/ from the JSON bodies written as raw
string literals (r#"{...}"#) in the crates' sources and tests, plus a few hand-picked texts.
Run from anywhere; corpora are not committed."""
import glob, json, os, re, hashlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
docs = set()
for path in glob.glob(os.path.join(ROOT, "crates", "*", "*", "**", "*.rs"), recursive=True):
    text = open(path, encoding="utf-8").read()
    for literal in re.findall(r'r#"(.*?)"#', text, re.S):
        try:
            if isinstance(json.loads(literal), (dict, list)):
                docs.add(literal.encode())
        except ValueError:
            pass
docs = sorted(docs)

def put(target, data):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

OPERATIONS = 15  # Operation::ALL.len()
for doc in docs:
    for op in range(OPERATIONS):
        put("callbacks", bytes([op]) + doc)
    for t in ("webhooks", "envelope", "untrusted"):
        put(t, doc)
for text in ["129.20", "120", "0.005", "-1", "1e3", " 12 ", "+5", "0.350", "\"85.5\"", "null", "\"\"",
             "9223372036854775807", "92233720368547758.07", "1.000000000", ".5", "5."]:
    put("money", text.encode())
for text in ["Basic cmVzdG8tMTpzM2NyOmV0", "basic  bm8tY29sb24= ", "Bearer x", "Basic !!!"]:
    put("basic_auth", text.encode())
print(f"{len(docs)} JSON bodies from the sources")
