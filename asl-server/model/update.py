#!/usr/bin/env python3
"""Refreshes service-2.json from botocore's Step Functions service model, without the docs.

The model is the checklist of the API (operations, members, constraints, errors): the
server validates requests with it and the tests check responses against it. Run:

    pip download botocore --no-deps -d /tmp/botocore && python3 update.py /tmp/botocore/botocore-*.whl
"""
import gzip
import json
import sys
import zipfile

MODEL = "botocore/data/stepfunctions/2016-11-23/service-2.json"


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


wheel = zipfile.ZipFile(sys.argv[1])
names = [n for n in wheel.namelist() if n.startswith(MODEL)]
data = wheel.read(names[0])
if names[0].endswith(".gz"):
    data = gzip.decompress(data)
model = strip(json.loads(data))
model["metadata"]["source"] = sys.argv[1].rsplit("/", 1)[-1]
with open("service-2.json", "w") as out:
    json.dump(model, out, indent=1, sort_keys=True)
    out.write("\n")
