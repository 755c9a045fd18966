"""backprop_222 re-expressed as a declaration (tests/data/backprop_222.toml) gives byte-identical
variants and keys to the hand-written module.

The twin has the module's name and version (a variant's seed includes both), so it is loaded in
a separate process: in this one, the family cache would hand it the module's derivation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.families import FAMILIES
from grader.keys import variant_record
from grader.variants import VariantKey, canonical, generate

TWIN = Path(__file__).parent / "data" / "backprop_222.toml"
KEYS = [VariantKey("twin", f"s{i:05d}", "q1") for i in range(10_000)]
RECORDS = 200

SCRIPT = """
import json, sys
from grader.declared import load
from grader.keys import variant_record
from grader.variants import VariantKey, canonical, generate
twin = load(sys.argv[1])
variants = generate(twin, [VariantKey("twin", f"s{i:05d}", "q1") for i in range(10_000)])
print(json.dumps({
    "numbers": [{k: str(v) for k, v in x.numbers.items()} for x in variants],
    "records": [variant_record(x) for x in [canonical(twin), *variants[:int(sys.argv[2])]]],
    "statement": [twin.statement(canonical(twin).params, lang) for lang in ("en", "zh")],
}))
"""


def test_the_declared_twin_of_backprop_222_gives_byte_identical_variants_and_keys():
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(TWIN), str(RECORDS)], capture_output=True,
                          text=True, check=True, timeout=600)
    twin = json.loads(done.stdout)
    module = FAMILIES["backprop_222"]
    variants = generate(module, KEYS)
    assert len(twin["numbers"]) == len(KEYS)
    assert twin["numbers"] == [{k: str(v) for k, v in x.numbers.items()} for x in variants]
    records = [variant_record(x) for x in [canonical(module), *variants[:RECORDS]]]
    assert json.dumps(twin["records"], sort_keys=True) == json.dumps(records, sort_keys=True)
    assert twin["statement"] == [module.statement(canonical(module).params, lang) for lang in ("en", "zh")]
