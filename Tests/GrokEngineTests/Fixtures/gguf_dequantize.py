"""Dequantises raw blocks with the `gguf` package's own numpy reference (gguf.quants), for
QuantConformanceTests: an implementation of every type that grok did not write.

    python3 gguf_dequantize.py TYPE IN OUT    (TYPE: ggml's name, e.g. q4_1; OUT: float32 values)
"""
import sys

import numpy as np
from gguf import GGMLQuantizationType, quants

name, source, destination = sys.argv[1:4]
qtype = GGMLQuantizationType[name.upper()]
blocks = np.fromfile(source, dtype=np.uint8)
values = quants.dequantize(blocks, qtype).astype(np.float32).reshape(-1)
values.tofile(destination)
