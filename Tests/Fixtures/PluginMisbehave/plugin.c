// A fixture plugin that misbehaves on request, one tool per way: "crash" (SIGSEGV), "hang"
// (spins forever), "garbage" (writes non-JSON to stdout, the host's protocol channel), "huge"
// (a 50 MB result), "leak" (allocates until the address-space limit stops it), "slow" (sleeps
// the given milliseconds, checking for cancellation), and "echo" (behaves).
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "fixture_plugin.h"

static const char manifest[] =
    "{\"tools\": ["
    " {\"name\": \"echo\", \"description\": \"Returns its text.\", \"inputSchema\": {\"type\": \"object\","
    "  \"properties\": {\"text\": {\"type\": \"string\"}}, \"required\": [\"text\"]}},"
    " {\"name\": \"crash\", \"description\": \"Dereferences NULL.\", \"inputSchema\": {\"type\": \"object\"}},"
    " {\"name\": \"hang\", \"description\": \"Never returns.\", \"inputSchema\": {\"type\": \"object\"}},"
    " {\"name\": \"garbage\", \"description\": \"Writes junk on stdout.\", \"inputSchema\": {\"type\": \"object\"}},"
    " {\"name\": \"huge\", \"description\": \"Returns 50 MB.\", \"inputSchema\": {\"type\": \"object\"}},"
    " {\"name\": \"leak\", \"description\": \"Allocates without end.\", \"inputSchema\": {\"type\": \"object\"}},"
    " {\"name\": \"slow\", \"description\": \"Sleeps.\", \"inputSchema\": {\"type\": \"object\","
    "  \"properties\": {\"ms\": {\"type\": \"integer\", \"minimum\": 0}}}}"
    "]}";

static const grok_host_api *host_api;

static grok_plugin_status init(const char *config, const grok_host_api *host, void **context, char **error) {
    host_api = host;
    return fixture_init(config, host, context, error);
}

static char *text_result(const char *text) {
    size_t n = strlen(text) + 64;
    char *out = malloc(n);
    snprintf(out, n, "{\"content\": [{\"type\": \"text\", \"text\": \"%s\"}]}", text);
    return out;
}

static grok_plugin_status call(void *context, const char *tool, const char *arguments, char **result) {
    (void)context;
    if (strcmp(tool, "crash") == 0) {
        volatile int *nothing = NULL;
        *nothing = 1;
    } else if (strcmp(tool, "hang") == 0) {
        for (volatile unsigned long i = 0;; i++) {}
    } else if (strcmp(tool, "garbage") == 0) {
        const char junk[] = "this is not JSON-RPC\n";
        write(1, junk, sizeof junk - 1);
        *result = text_result("after garbage");
        return GROK_PLUGIN_OK;
    } else if (strcmp(tool, "huge") == 0) {
        size_t n = 50u << 20;
        char *out = malloc(n + 64);
        if (!out) return GROK_PLUGIN_ERROR;
        memcpy(out, "{\"content\": [{\"type\": \"text\", \"text\": \"", 39);
        memset(out + 39, 'x', n);
        memcpy(out + 39 + n, "\"}]}", 5);
        *result = out;
        return GROK_PLUGIN_OK;
    } else if (strcmp(tool, "leak") == 0) {
        for (;;) {
            char *block = malloc(64u << 20);
            if (!block) break;
            memset(block, 1, 64u << 20);
        }
        *result = text_result("the allocator said no");
        return GROK_PLUGIN_OK;
    } else if (strcmp(tool, "slow") == 0) {
        const char *ms = strstr(arguments, "\"ms\"");
        long total = ms ? strtol(strchr(ms, ':') + 1, NULL, 10) : 1000;
        for (long waited = 0; waited < total; waited += 10) {
            if (host_api->is_cancelled(host_api->host)) return GROK_PLUGIN_CANCELLED;
            struct timespec tick = {0, 10 * 1000000L};
            nanosleep(&tick, NULL);
        }
        *result = text_result("slept");
        return GROK_PLUGIN_OK;
    }
    const char *text = strstr(arguments, "\"text\"");
    (void)text;
    *result = text_result("echo");
    return GROK_PLUGIN_OK;
}

static const grok_plugin_descriptor descriptor = {
    .abi_major = GROK_PLUGIN_ABI_MAJOR, .abi_minor = GROK_PLUGIN_ABI_MINOR, .struct_size = sizeof(grok_plugin_descriptor),
    .name = "misbehave", .version = "1.0.0", .manifest = manifest, .init = init, .call_tool = call,
    .free_string = fixture_free, .shutdown = fixture_shutdown};
const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
