#include <jansson.h>

/* jansson's json_decref is a static inline in the header; Swift sees it, but the refcount
   macros around it are easier to call through these two named functions. */
static inline void grok_json_decref(json_t *json) { json_decref(json); }
static inline json_t *grok_json_incref(json_t *json) { return json_incref(json); }
