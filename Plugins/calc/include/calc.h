// calc: a grok plugin (see protocol/grok_plugin.h); its one export is grok_plugin_entry_v1.
#include "grok_plugin.h"
