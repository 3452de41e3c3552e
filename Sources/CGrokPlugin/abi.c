// The plugin ABI for Swift: the header is protocol/grok_plugin.h (linked into include/). A C
// target needs one source file; this one checks that the header compiles on its own.
#include "grok_plugin.h"
