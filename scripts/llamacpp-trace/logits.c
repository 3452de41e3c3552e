// Reference outputs from llama.cpp for the parity checks, not built by the package: loads a GGUF
// with llama.cpp (the build of scripts/llamacpp-tools), evaluates a list of token ids, and
//   --logits OUT  writes the logits of EVERY position as raw little-endian float32, row-major
//                 [positions × vocab] (row i = the distribution after token i; no header: the
//                 sizes are printed). All positions go through llama_decode as ONE batch
//                 (n_batch = n_ubatch = positions), so llama.cpp takes its prompt path, never
//                 one token at a time; the positions are limited by the context (--ctx).
//   --greedy N    then continues greedily (argmax, lowest id on a tie) for N steps, one token
//                 per llama_decode, and prints the N ids. It does not stop at end-of-generation
//                 tokens; "greedy_eog" gives the index of the first one (-1 if none).
// Output on stdout, one item per line:
//   vocab <n_vocab> add_bos <0|1> bos <id>
//   logits <file> <positions> <n_vocab>         (with --logits)
//   top <id> <logprob>                          (--top K lines, default 5: the most likely next
//                                                tokens after the last id, log-softmax in double)
//   greedy <id> <id> …                          (with --greedy)
//   greedy_eog <index>
//   time load_ms <ms> prompt_ms <ms> greedy_ms <ms>
// IDS is "ids:2,818,5279" or the path of a text file of ids separated by spaces, commas or lines.
// Threads default to all cores (the logits do not depend on the count: 1 and 2 threads gave
// identical files for SmolLM2; on a busy machine 1 thread is much faster); flash attention, KV cache type and everything else are
// llama.cpp's defaults. llama.cpp's own log goes to stderr only for warnings and errors
// (LLAMACPP_LOG=1: all of it).
//   B=$(scripts/llamacpp-tools); S=$(dirname $B)/src      (bin/ may be a symlink: not $B/..)
//   cc -O2 -o /tmp/llamacpp-logits scripts/llamacpp-trace/logits.c -I$S/include -I$S/ggml/include
//      -L$B -Wl,-rpath,$B -lllama -lggml -lggml-base -lm      (one command line)
//   /tmp/llamacpp-logits MODEL.gguf ids:1,2,3 [--logits OUT.f32] [--greedy N] [--top K] [--threads T] [--ctx N]
// (scripts/llamacpp-reference compiles and runs it for you.)
#include "llama.h"
#include "ggml.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char * what) { fprintf(stderr, "logits: %s\n", what); exit(1); }

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void quiet_log(enum ggml_log_level level, const char * text, void * ud) {
    (void) ud;
    if (level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR || getenv("LLAMACPP_LOG")) fputs(text, stderr);
}

// Token ids from "ids:1,2,3" or a file of ids separated by anything but digits.
static llama_token * read_ids(const char * spec, int * count) {
    char * text = NULL;
    if (strncmp(spec, "ids:", 4) == 0) {
        text = strdup(spec + 4);
    } else {
        FILE * f = fopen(spec, "rb");
        if (!f) die("cannot open the ids file");
        fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
        text = malloc(size + 1);
        if (fread(text, 1, size, f) != (size_t) size) die("cannot read the ids file");
        text[size] = 0;
        fclose(f);
    }
    int cap = 64, n = 0;
    llama_token * ids = malloc(sizeof(llama_token) * cap);
    for (char * p = text; *p; ) {
        if (*p < '0' || *p > '9') { p++; continue; }
        if (n == cap) { cap *= 2; ids = realloc(ids, sizeof(llama_token) * cap); }
        ids[n++] = (llama_token) strtol(p, &p, 10);
    }
    free(text);
    *count = n;
    return ids;
}

static int argmax(const float * row, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (row[i] > row[best]) best = i;
    return best;
}

int main(int argc, char ** argv) {
    if (argc < 3) die("usage: logits MODEL.gguf ids:1,2,3|IDS_FILE [--logits OUT.f32] [--greedy N] [--top K] [--threads T] [--ctx N]");
    const char * path = argv[1];
    const char * out = NULL;
    int greedy = 0, threads = 0, n_ctx = 0, top = 5;
    for (int i = 3; i < argc; i++) {
        if (i + 1 >= argc) die("an option lacks its value");
        if (!strcmp(argv[i], "--logits")) out = argv[++i];
        else if (!strcmp(argv[i], "--greedy")) greedy = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ctx")) n_ctx = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--top")) top = atoi(argv[++i]);
        else die("unknown option");
    }
    int n = 0;
    llama_token * ids = read_ids(argv[2], &n);
    if (n == 0) die("no token ids");
    if (threads <= 0) { long cores = sysconf(_SC_NPROCESSORS_ONLN); threads = cores > 0 ? (int) cores : 1; }
    if (n_ctx <= 0) n_ctx = n + greedy;
    if (n_ctx < n + greedy) die("the context is shorter than the ids plus the greedy steps");

    llama_log_set(quiet_log, NULL);
    llama_backend_init();
    double t0 = now_ms();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) die("cannot load the model");
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx; cp.n_batch = n; cp.n_ubatch = n; cp.n_seq_max = 1;
    cp.n_threads = threads; cp.n_threads_batch = threads;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) die("cannot create the context");
    const struct llama_vocab * vocab = llama_model_get_vocab(model);
    int nv = llama_vocab_n_tokens(vocab);
    for (int i = 0; i < n; i++) if (ids[i] < 0 || ids[i] >= nv) die("a token id is outside the vocabulary");
    printf("vocab %d add_bos %d bos %d\n", nv, llama_vocab_get_add_bos(vocab) ? 1 : 0, llama_vocab_bos(vocab));
    double t1 = now_ms();

    // The ids as one batch, with logits for every position only when they are to be written.
    struct llama_batch batch = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; i++) {
        batch.token[i] = ids[i]; batch.pos[i] = i; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = 0;
        batch.logits[i] = out != NULL || i == n - 1;
    }
    batch.n_tokens = n;
    if (llama_decode(ctx, batch) != 0) die("llama_decode failed on the ids");
    double t2 = now_ms();
    if (out) {
        char partial[4096];
        snprintf(partial, sizeof partial, "%s.part", out);
        FILE * f = fopen(partial, "wb");
        if (!f) die("cannot create the logits file");
        for (int i = 0; i < n; i++)
            if (fwrite(llama_get_logits_ith(ctx, i), sizeof(float), nv, f) != (size_t) nv) die("cannot write the logits file");
        if (fclose(f) != 0 || rename(partial, out) != 0) die("cannot write the logits file");
        printf("logits %s %d %d\n", out, n, nv);
    }
    llama_batch_free(batch);

    // The first step's top tokens after the last id, as log-probabilities.
    {
        const float * last = llama_get_logits_ith(ctx, -1);
        double mx = last[argmax(last, nv)], sum = 0;
        for (int i = 0; i < nv; i++) sum += exp((double) last[i] - mx);
        double lse = mx + log(sum);
        char * taken = calloc(nv, 1);
        for (int k = 0; k < top && k < nv; k++) {
            int best = -1;
            for (int i = 0; i < nv; i++) if (!taken[i] && (best < 0 || last[i] > last[best])) best = i;
            taken[best] = 1;
            printf("top %d %.9f\n", best, (double) last[best] - lse);
        }
        free(taken);
    }

    if (greedy > 0) {
        int eog = -1;
        printf("greedy");
        llama_token next = argmax(llama_get_logits_ith(ctx, -1), nv);
        for (int step = 0; step < greedy; step++) {
            printf(" %d", next);
            if (eog < 0 && llama_vocab_is_eog(vocab, next)) eog = step;
            if (step + 1 == greedy) break;
            if (llama_decode(ctx, llama_batch_get_one(&next, 1)) != 0) die("llama_decode failed on a greedy step");
            next = argmax(llama_get_logits_ith(ctx, -1), nv);
        }
        printf("\ngreedy_eog %d\n", eog);
    }
    double t3 = now_ms();
    printf("time load_ms %.1f prompt_ms %.1f greedy_ms %.1f\n", t1 - t0, t2 - t1, t3 - t2);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    free(ids);
    return 0;
}
