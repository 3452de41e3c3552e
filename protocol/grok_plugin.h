/*
 * grok_plugin.h: the C ABI of grok plugins, version 1.0.
 *
 * A plugin is a shared library that gives the model tools (functions it can call) and/or
 * retrievers (sources of passages for its context). It is written in any language that can
 * export a C function, and it depends on this header only.
 *
 * grokd never loads a plugin into itself. It starts one `grok-plugin-host` process per plugin.
 * The host dlopen()s the library, looks up the entry symbol, checks the descriptor (ABI major,
 * struct size, required fields) before calling any other plugin function, and then serves the
 * plugin over MCP-style JSON-RPC on its stdin/stdout. A plugin that crashes, hangs or misbehaves
 * takes down only its host, and only the calls it was serving fail.
 *
 * Versioning. The major version is part of the entry symbol's name (grok_plugin_entry_v1), so a
 * plugin built for another major is simply not found. Within a major, fields are only ever
 * added at the end of the structs; `struct_size` says how much of a struct the other side
 * knows, and the minor version says which optional behaviours are there.
 *
 * Strings. Every string is UTF-8 and NUL-terminated.
 *   - Strings the host passes in are valid only during the call; copy what you keep.
 *   - Strings the plugin returns (result and error JSON) are allocated by the plugin and given
 *     back with free_string(), exactly once, by the host.
 *   - Strings in the descriptor (name, version, manifest) are owned by the plugin and must stay
 *     valid until the library is unloaded (static storage is the usual choice).
 *
 * Threads. The host calls a plugin from one thread at a time: init, then any number of
 * call_tool/retrieve calls, then shutdown. The host callbacks may be called from that thread
 * during a call.
 *
 * Errors. Functions return a grok_plugin_status; no exception or signal may cross the boundary.
 * With GROK_PLUGIN_ERROR or GROK_PLUGIN_INVALID_ARGUMENTS, the plugin may set *error_json to
 * {"message": "...", "data": <any JSON>?} to say what went wrong (a tool that ran and failed
 * in a way the model should see returns GROK_PLUGIN_OK with "isError": true instead).
 */
#ifndef GROK_PLUGIN_H
#define GROK_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GROK_PLUGIN_ABI_MAJOR 1
#define GROK_PLUGIN_ABI_MINOR 0

/** The entry symbol, with the ABI major in its name. */
#define GROK_PLUGIN_ENTRY grok_plugin_entry_v1
#define GROK_PLUGIN_ENTRY_NAME "grok_plugin_entry_v1"

typedef enum {
    GROK_PLUGIN_OK = 0,
    /** The call failed; *error_json may say why. */
    GROK_PLUGIN_ERROR = 1,
    /** The arguments (or config, for init) are not what the plugin accepts. */
    GROK_PLUGIN_INVALID_ARGUMENTS = 2,
    /** No tool or retriever of that name. */
    GROK_PLUGIN_NOT_FOUND = 3,
    /** The call noticed it was cancelled (see grok_host_api.is_cancelled) and stopped. */
    GROK_PLUGIN_CANCELLED = 4,
} grok_plugin_status;

typedef enum {
    GROK_LOG_DEBUG = 0,
    GROK_LOG_INFO = 1,
    GROK_LOG_WARNING = 2,
    GROK_LOG_ERROR = 3,
} grok_log_level;

/** What the host offers the plugin; passed to init and valid until shutdown returns. */
typedef struct grok_host_api {
    /** Required. sizeof(grok_host_api) as the host knows it: read a field only if it lies
     *  within this size. */
    uint32_t struct_size;
    /** Required. Pass back as the first argument of the callbacks below. */
    void *host;
    /** Required. Writes a line to grokd's log, attributed to the plugin. */
    void (*log)(void *host, grok_log_level level, const char *message);
    /** Required. Nonzero once the call in progress was cancelled by its caller; long calls
     *  should check it now and then and return GROK_PLUGIN_CANCELLED. */
    int (*is_cancelled)(void *host);
    /** Required. Reports how far the call in progress is (`done` of `total` units; total 0 if
     *  unknown), with an optional short message (may be NULL). Callers that stream see it,
     *  e.g. as a progress bar; calling it often is cheap but not free (a few times a second
     *  is plenty). */
    void (*progress)(void *host, uint64_t done, uint64_t total, const char *message);
} grok_host_api;

/** What a plugin is: returned by the entry function. */
typedef struct grok_plugin_descriptor {
    /** Required. GROK_PLUGIN_ABI_MAJOR; any other value is refused. */
    uint32_t abi_major;
    /** Required. GROK_PLUGIN_ABI_MINOR of the header the plugin was built with. */
    uint32_t abi_minor;
    /** Required. sizeof(grok_plugin_descriptor) as the plugin was built; a struct shorter than
     *  the fields of ABI 1.0 is refused. */
    uint32_t struct_size;
    /** Required. The plugin's name: lowercase letters, digits, '-' and '_', starting with a
     *  letter, at most 64 bytes. Tool names are exposed as "<name>.<tool>". */
    const char *name;
    /** Required. The plugin's version, e.g. "1.2.0". */
    const char *version;
    /** Required. A JSON object:
     *    {"description": "...",                      optional
     *     "tools": [{"name": "...",                  required, [a-z][a-z0-9_]*
     *                "description": "...",           required, for the model
     *                "inputSchema": {JSON Schema}}], required, an object schema
     *     "retrievers": [{"name": "...", "description": "..."}]}
     *  "tools" and "retrievers" may be absent or empty, not both. */
    const char *manifest;
    /** Required. Prepares the plugin. `config_json` is the plugin's config object from grokd's
     *  config ("{}" if none). Sets *context (any value, passed to every later call; may stay
     *  NULL). On failure returns an error status and may set *error_json. */
    grok_plugin_status (*init)(const char *config_json, const grok_host_api *host, void **context,
                               char **error_json);
    /** Required when the manifest lists tools, else NULL. Runs `tool` with `arguments_json`
     *  (an object already checked against the tool's inputSchema). On GROK_PLUGIN_OK sets
     *  *result_json to an MCP tool result:
     *    {"content": [{"type": "text", "text": "..."}], "isError": false}
     *  otherwise may set *result_json to error JSON. */
    grok_plugin_status (*call_tool)(void *context, const char *tool, const char *arguments_json,
                                    char **result_json);
    /** Required when the manifest lists retrievers, else NULL. `query_json` is
     *  {"query": "...", "k": N}. On GROK_PLUGIN_OK sets *result_json to
     *    {"passages": [{"text": "...", "source": "...", "citation": "...", "score": 1.5}]}
     *  with at most k passages, best first (higher score is better). */
    grok_plugin_status (*retrieve)(void *context, const char *retriever, const char *query_json,
                                   char **result_json);
    /** Required. Frees a string the plugin returned. `context` is NULL for a string returned
     *  by a failed init. */
    void (*free_string)(void *context, char *string);
    /** Required. Releases everything; no call follows. */
    void (*shutdown)(void *context);
} grok_plugin_descriptor;

/** The size of the ABI 1.0 descriptor: the least struct_size the host accepts. */
#define GROK_PLUGIN_DESCRIPTOR_V1_0_SIZE ((uint32_t)sizeof(grok_plugin_descriptor))

/** The entry function every plugin exports. It must only return a pointer to a descriptor in
 *  static storage (no other work: the host calls it before checking the ABI). */
typedef const grok_plugin_descriptor *(*grok_plugin_entry_fn)(void);
const grok_plugin_descriptor *grok_plugin_entry_v1(void);

#ifdef __cplusplus
}
#endif

#endif
