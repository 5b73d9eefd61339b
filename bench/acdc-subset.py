"""Writes a smaller SSL4MIS-layout copy of ACDC: the first N training patients of train.list
(both frames, all their slices) and every validation volume. Used for the GPU pilot run
(configs/acdc-pilot-gpu.json), whose machine only receives 64 MiB.

    /usr/bin/python3 bench/acdc-subset.py ../shared/data/ACDC runs/acdc-subset-10 10
"""
import os
import shutil
import sys

src, dst, patients = sys.argv[1], sys.argv[2], int(sys.argv[3])
vols = [l.strip() for l in open(os.path.join(src, "train.list")) if l.strip()][: 2 * patients]
slices = [l.strip() for l in open(os.path.join(src, "train_slices.list")) if l.strip()]
keep = [s for s in slices if s.rsplit("_slice_", 1)[0] in set(vols)]
os.makedirs(os.path.join(dst, "data", "slices"), exist_ok=True)
open(os.path.join(dst, "train.list"), "w").write("\n".join(vols) + "\n")
open(os.path.join(dst, "train_slices.list"), "w").write("\n".join(keep) + "\n")
shutil.copy(os.path.join(src, "val.list"), os.path.join(dst, "val.list"))
for s in keep:
    shutil.copy(os.path.join(src, "data", "slices", s + ".h5"), os.path.join(dst, "data", "slices"))
for v in open(os.path.join(src, "val.list")):
    if v.strip():
        shutil.copy(os.path.join(src, "data", v.strip() + ".h5"), os.path.join(dst, "data"))
print(f"{len(vols)} volumes, {len(keep)} slices")
