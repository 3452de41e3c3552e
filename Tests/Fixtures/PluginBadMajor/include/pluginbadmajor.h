#include "fixture_plugin.h"
