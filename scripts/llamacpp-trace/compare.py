"""Max relative difference per token row between llama.cpp's and the engine's traced tensors.
usage: ROWS=<tokens> python3 compare.py attn_norm-0 kqv_out-0 l_out-0 ...  (run in /tmp/lldump)"""
import numpy as np, sys, os
ROWS = int(os.environ.get("ROWS", "6"))
def load(d, n):
    p=f'{d}/{n}.bin'
    return np.fromfile(p, dtype=np.float32) if os.path.exists(p) else None
names = sys.argv[1:]
for n in names:
    a=load('ll',n); b=load('ours',n)
    if a is None or b is None: print(n,'missing', a is None, b is None); continue
    if a.size!=b.size: print(n,'size',a.size,b.size); continue
    a=a.reshape(ROWS,-1); b=b.reshape(ROWS,-1)
    rel=[float(np.abs(a[r]-b[r]).max()/ (np.abs(a[r]).max()+1e-30)) for r in range(ROWS)]
    print(f'{n:16s}', ' '.join(f'{x:.1e}' for x in rel))
