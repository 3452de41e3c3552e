#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include "grok_spawn.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define GROK_HAVE_ADDCLOSEFROM 1
#endif

/// Fallback for C libraries without the spawn action: mark every open descriptor >= lowest
/// close-on-exec now. A descriptor opened by another thread between this and the spawn can
/// still slip through, which is why the spawn action is preferred.
static int mark_close_on_exec_from(int lowest) {
    DIR *directory = opendir("/proc/self/fd");
    if (directory == NULL) return errno;
    int own = dirfd(directory);
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        int descriptor = atoi(entry->d_name);
        if (descriptor < lowest || descriptor == own) continue;
        int flags = fcntl(descriptor, F_GETFD);
        if (flags >= 0) fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC);
    }
    closedir(directory);
    return 0;
}

int grok_spawn_file_actions_close_from(posix_spawn_file_actions_t *actions, int lowest) {
#ifdef GROK_HAVE_ADDCLOSEFROM
    int status = posix_spawn_file_actions_addclosefrom_np(actions, lowest);
    if (status != ENOSYS) return status;
#else
    (void)actions;
#endif
    return mark_close_on_exec_from(lowest);
}

int grok_spawnattr_default_signals(posix_spawnattr_t *attributes) {
    sigset_t all, none;
    sigfillset(&all);
    sigdelset(&all, SIGKILL);  // these two cannot have their action set
    sigdelset(&all, SIGSTOP);
    sigemptyset(&none);
    short flags = 0;
    int status = posix_spawnattr_getflags(attributes, &flags);
    if (status == 0) status = posix_spawnattr_setsigdefault(attributes, &all);
    if (status == 0) status = posix_spawnattr_setsigmask(attributes, &none);
    if (status == 0) status = posix_spawnattr_setflags(attributes, flags | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    return status;
}
