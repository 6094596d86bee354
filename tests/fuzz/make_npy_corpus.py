#!/usr/bin/env python3
"""Writes the .npy seeds of tests/corpus/npy (committed; rerun only to change
them): every dtype the reader accepts, format versions 1.0/2.0/3.0, 0-d,
empty and 4-d shapes, and a few files it must reject. Needs numpy.
Usage: python3 tests/fuzz/make_npy_corpus.py [OUT_DIR]"""
import os
import sys

import numpy as np
from numpy.lib import format as F

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "npy")
os.makedirs(out, exist_ok=True)


def save(name, a, version=None):
    with open(os.path.join(out, name), "wb") as f:
        F.write_array(f, a, version=version, allow_pickle=False)


def raw(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


r = np.arange(6)
save("u1_2x3.npy", np.array([[0, 1, 0], [1, 1, 0]], dtype="u1"))
save("i1_4.npy", np.array([-128, -1, 0, 127], dtype="i1"))
save("u2_3.npy", np.array([0, 1, 65535], dtype="<u2"))
save("i2_2x2.npy", np.array([[-32768, 1], [2, 32767]], dtype="<i2"))
save("u4_3.npy", np.array([0, 7, 2**32 - 1], dtype="<u4"))
save("i4_2x3.npy", (r % 3).reshape(2, 3).astype("<i4"))
save("u8_2.npy", np.array([0, 2**64 - 1], dtype="<u8"))
save("i8_2.npy", np.array([-2**63, 2**53 + 1], dtype="<i8"))
save("f4_2x3.npy", np.array([[0.5, -1.0, np.inf], [np.nan, 1e-40, 3.4e38]], dtype="<f4"))
save("f8_2x3.npy", (0.5 + 0.25 * r).reshape(2, 3).astype("<f8"))
save("f8_scalar.npy", np.array(3.25, dtype="<f8"))
save("f8_empty_0.npy", np.zeros((0,), dtype="<f8"))
save("f8_empty_3x0.npy", np.zeros((3, 0), dtype="<f8"))
save("u1_4d.npy", np.arange(16, dtype="u1").reshape(2, 2, 2, 2))
save("f8_v2.npy", np.array([1.0, 2.0]), version=(2, 0))
save("f8_v3.npy", np.array([1.0, 2.0]), version=(3, 0))
# rejected by the reader
save("bad_f8_bigendian.npy", np.array([1.0, 2.0], dtype=">f8"))
save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
save("bad_bool.npy", np.array([True, False]))
save("bad_structured.npy", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]))
save("bad_u1_5d.npy", np.zeros((1, 1, 1, 1, 2), dtype="u1"))
with open(os.path.join(out, "f8_2x3.npy"), "rb") as f:
    good = f.read()
raw("bad_truncated_data.npy", good[:-5])
raw("bad_truncated_header.npy", good[:40])
raw("bad_magic.npy", b"\x93NUMPX" + good[6:])
