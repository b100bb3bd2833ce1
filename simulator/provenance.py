"""What made a synth-moves / synth-typing Parquet file, stored in the file's own schema metadata.

A Parquet file travels without its command line: the key ``hcisim`` holds, as JSON, the hcisim version, the
command, the profile (id, sha256) and the licence or credit of the data it was fitted on (`simulator.terms`),
the seed and the options that change the output -- read it back with ``pyarrow.parquet.read_schema(path)``.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from simulator import __version__
from simulator.terms import terms_of

KEY = b"hcisim"


def with_provenance(schema: pa.Schema, command: str, profile_id: str, profile_sha256: str, profile_meta: dict,
                    **options: Any) -> pa.Schema:
    """``schema`` with the provenance of the file written with it (options that are None are left out)."""
    doc = {"hcisim": __version__, "command": command,
           "profile": {"id": profile_id, "sha256": profile_sha256, **terms_of(profile_meta),
                       **({"fitted_on": src} if isinstance(src := profile_meta.get("source"), str) else {})},
           **{k: v for k, v in options.items() if v is not None}}
    return schema.with_metadata({KEY: json.dumps(doc, sort_keys=True).encode()})


def provenance_of(schema: pa.Schema) -> dict[str, Any]:
    """The provenance `with_provenance` stored ({} for a file written by something else)."""
    raw = (schema.metadata or {}).get(KEY)
    return json.loads(raw) if raw else {}
