#!/usr/bin/env python3
"""An independent reader of safetensors files with numpy: the format as its specification states it (huggingface/
safetensors README, "Format": u64 LE header length N, N bytes of UTF-8 JSON, then the byte buffer) and the checks of
the reference parser (safetensors/src/tensor.rs, Metadata::validate), written without any Layerwise code. It is not
the Python `safetensors` library, which this machine does not have; it reads what `safe_open` would.

Usage: safetensors_numpy.py FILE...
Prints one JSON list: per file {"problems": [...], "header_size": N, "metadata": {...} | null,
"tensors": [{"name", "dtype", "shape", "values" (float64, row-major)}] in offset order}.
"""
import json
import math
import struct
import sys

import numpy as np

# Little-endian numpy types of the dtypes this reader decodes.
NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate keys {dup}")
    return dict(pairs)


def read(path):
    raw = open(path, "rb").read()
    problems = []
    (n,) = struct.unpack("<Q", raw[:8])
    if n % 8 != 0:
        problems.append(f"header length {n} is not a multiple of 8")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    body = raw[8 + n :]
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        problems.append("__metadata__ holds a value that is not a string")
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    tensors = []
    end = 0
    for name, info in entries:
        begin, stop = info["data_offsets"]
        if begin != end:
            problems.append(f"{name}: starts at {begin}, the previous tensor ends at {end}")
        end = stop
        if info["dtype"] not in NUMPY:
            problems.append(f"{name}: dtype {info['dtype']} is not read here")
            continue
        dtype = np.dtype(NUMPY[info["dtype"]])
        count = math.prod(info["shape"])
        if count * dtype.itemsize != stop - begin:
            problems.append(f"{name}: {count} x {dtype.itemsize} bytes, data_offsets hold {stop - begin}")
            continue
        values = np.frombuffer(body, dtype=dtype, count=count, offset=begin).reshape(info["shape"])
        tensors.append({"name": name, "dtype": info["dtype"], "shape": list(values.shape), "values": values.astype(np.float64).ravel().tolist()})
    if end != len(body):
        problems.append(f"the tensors end at byte {8 + n + end}, the file has {len(raw)}")
    return {"problems": problems, "header_size": n, "metadata": metadata, "tensors": tensors}


print(json.dumps([read(p) for p in sys.argv[1:]]))
