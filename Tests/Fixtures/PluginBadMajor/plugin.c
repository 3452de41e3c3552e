// A fixture that declares ABI major 2 inside the v1 entry: must be refused before init runs.
#include "fixture_plugin.h"
static const grok_plugin_descriptor descriptor = {
    .abi_major = 2, .abi_minor = 0, .struct_size = sizeof(grok_plugin_descriptor), .name = "badmajor", .version = "1",
    .manifest = fixture_manifest, .init = fixture_init, .call_tool = fixture_call, .free_string = fixture_free,
    .shutdown = fixture_shutdown};
const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
