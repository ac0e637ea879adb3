"""Times stock OPA evaluating the bundled catalog on a policy input document.

Usage (with the Python that ../shared/tools/opa-verify installs OPA's Go engine into):

    ahds-guard input ESTATE.json > input.json
    ~/.cache/opa-verify/bin/python benches/opa/compare.py policies input.json [REPEATS]

OPA runs in-process through its Go library (opa-golib-python-bindings). Every rule's
`deny`, `undetermined` and `notes` are gathered into one document, like ahds-guard's VM
does, and evaluated in one call. Passing the input to Go costs the same for any policy,
so the script also times a trivial rule on the same input and reports the difference:
OPA's evaluation alone. Compare it with the `rules` figure of
`ahds-guard check ESTATE.json --stats --threads 1`.
"""

import json
import os
import re
import statistics
import sys
import time

from opa_bindings import OpaEngine

root, input_path = sys.argv[1], sys.argv[2]
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3

packages = []
with OpaEngine() as engine:
    for d, _, files in os.walk(root):
        for f in sorted(files):
            p = os.path.join(d, f)
            if f == "data.json":
                rel = os.path.relpath(d, root)
                with open(p) as fh:
                    engine.add_data(json.load(fh), "" if rel == "." else rel.replace(os.sep, "."))
            elif f.endswith(".rego") and not f.endswith("_test.rego"):
                src = open(p).read()
                engine.add_policy(p, src)
                if re.search(r"^deny contains", src, re.M):
                    packages.append(re.search(r"^package\s+([\w.]+)", src, re.M).group(1))
    packages.sort()
    rows = ",\n".join(
        "  [%s]" % ", ".join(f"{{x | some x in data.{p}.{s}}}" for s in ("deny", "undetermined", "notes"))
        for p in packages
    )
    engine.add_policy(
        "bench.rego",
        f"package ahds_guard_bench\n\nnoop := true\n\nall := [\n{rows}\n]\n",
    )
    with open(input_path) as fh:
        doc = json.load(fh)

    def timed(path):
        times, result = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = engine.eval_document(path, doc)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e3, result

    noop_ms, _ = timed("ahds_guard_bench.noop")
    all_ms, result = timed("ahds_guard_bench.all")
    findings = sum(len(row[0]) + len(row[1]) for row in result)
    print(
        f"OPA: {len(packages)} rules, {findings} deny+undetermined entries; "
        f"evaluation {all_ms - noop_ms:.1f} ms (call {all_ms:.1f} ms minus input transfer "
        f"{noop_ms:.1f} ms), median of {repeats}"
    )
