"""The dataset format: one reader/writer every part of hcisim uses (see docs/format.md)."""

from simulator.dataset.manifest import FileEntry, Manifest
from simulator.dataset.reader import Dataset, read_dataset
from simulator.dataset.schema import FORMAT_VERSION, SCHEMAS
from simulator.dataset.summary import Summary, summarize
from simulator.dataset.validate import validate_dataset
from simulator.dataset.writer import DatasetWriter, check_out, write_dataset

__all__ = [
    "FORMAT_VERSION", "SCHEMAS", "Dataset", "DatasetWriter", "FileEntry", "Manifest", "Summary",
    "check_out", "read_dataset", "summarize", "validate_dataset", "write_dataset",
]
