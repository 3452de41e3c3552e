#ifndef GROK_SPAWN_H
#define GROK_SPAWN_H

#include <spawn.h>

/// Adds a spawn action that closes every descriptor >= `lowest` in the child.
///
/// Swift's Glibc module does not show glibc's `posix_spawn_file_actions_addclosefrom_np`
/// (it is behind _GNU_SOURCE). Without it a child inherits every descriptor the daemon has
/// open without FD_CLOEXEC: SwiftNIO's listening and accepted sockets among them, so a plugin
/// host would keep the daemon's socket answering after the daemon died.
/// Where the C library lacks that action, the descriptors open now are marked close-on-exec
/// instead. Returns 0 or an errno value.
int grok_spawn_file_actions_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// Makes the child start with every signal at its default action and none blocked.
///
/// posix_spawn passes on the spawning thread's signal mask and the ignored signals: a spawn
/// from one of the daemon's threads (which block most signals) gave children that SIGTERM
/// could not stop. Keeps the flags already set. Returns 0 or an errno value.
int grok_spawnattr_default_signals(posix_spawnattr_t *attributes);

#endif
