// Shared by the test-fixture plugins: a descriptor with one "echo" tool whose init leaves a
// marker file (at $GROK_FIXTURE_MARKER), so tests can prove whether plugin code ran.
#ifndef FIXTURE_PLUGIN_H
#define FIXTURE_PLUGIN_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grok_plugin.h"

static const char fixture_manifest[] =
    "{\"tools\": [{\"name\": \"echo\", \"description\": \"Returns its text.\","
    " \"inputSchema\": {\"type\": \"object\", \"properties\": {\"text\": {\"type\": \"string\"}}, \"required\": [\"text\"]}}]}";

static grok_plugin_status fixture_init(const char *config, const grok_host_api *host, void **context, char **error) {
    (void)config; (void)host; (void)error;
    const char *marker = getenv("GROK_FIXTURE_MARKER");
    if (marker) {
        FILE *f = fopen(marker, "w");
        if (f) { fputs("init ran\n", f); fclose(f); }
    }
    *context = NULL;
    return GROK_PLUGIN_OK;
}

static grok_plugin_status fixture_call(void *context, const char *tool, const char *arguments, char **result) {
    (void)context; (void)tool; (void)arguments;
    *result = strdup("{\"content\": [{\"type\": \"text\", \"text\": \"echo\"}]}");
    return GROK_PLUGIN_OK;
}

static void fixture_free(void *context, char *string) { (void)context; free(string); }
static void fixture_shutdown(void *context) { (void)context; }
#endif
