// A fixture without the required init function: must be refused.
#include "fixture_plugin.h"
static const grok_plugin_descriptor descriptor = {
    .abi_major = 1, .abi_minor = 0, .struct_size = sizeof(grok_plugin_descriptor), .name = "noinit", .version = "1",
    .manifest = fixture_manifest, .init = NULL, .call_tool = fixture_call, .free_string = fixture_free,
    .shutdown = fixture_shutdown};
const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
