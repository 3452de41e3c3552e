// A fixture whose descriptor claims to be shorter than ABI 1.0's: must be refused before init runs.
#include "fixture_plugin.h"
static const grok_plugin_descriptor descriptor = {
    .abi_major = 1, .abi_minor = 0, .struct_size = 24, .name = "short", .version = "1",
    .manifest = fixture_manifest, .init = fixture_init, .call_tool = fixture_call, .free_string = fixture_free,
    .shutdown = fixture_shutdown};
const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
