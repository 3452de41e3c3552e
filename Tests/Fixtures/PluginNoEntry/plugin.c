// A fixture that exports only a future ABI's entry (grok_plugin_entry_v2): there is no v1 symbol.
#include "fixture_plugin.h"
static const grok_plugin_descriptor descriptor = {
    .abi_major = 2, .abi_minor = 0, .struct_size = sizeof(grok_plugin_descriptor), .name = "noentry", .version = "1",
    .manifest = fixture_manifest, .init = fixture_init, .call_tool = fixture_call, .free_string = fixture_free,
    .shutdown = fixture_shutdown};
const grok_plugin_descriptor *grok_plugin_entry_v2(void) { return &descriptor; }
