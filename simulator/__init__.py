"""hcisim: realistic human computer-use data from models fitted on recorded people."""

__version__ = "0.1.0"
