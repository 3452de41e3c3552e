// sysinfo: the facts a model cannot know — the current date and time in the user's time zone,
// and the machine it runs on (hostname, uptime, system).
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "grok_plugin.h"

static const char manifest[] =
    "{\"description\": \"The current date and time, and facts about this machine.\","
    " \"tools\": ["
    "  {\"name\": \"now\", \"description\": \"The current local date, time, time zone and day of the week.\","
    "   \"inputSchema\": {\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}},"
    "  {\"name\": \"system\", \"description\": \"This machine's hostname, operating system and uptime.\","
    "   \"inputSchema\": {\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}}"
    "]}";

/// A tool result with one text part and the same facts as structured content; takes `facts`.
static char *result(json_t *facts, const char *text) {
    json_t *content = json_pack("[{s:s, s:s}]", "type", "text", "text", text);
    json_t *out = json_pack("{s:o, s:o, s:b}", "content", content, "structuredContent", facts, "isError", 0);
    char *json = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return json;
}

static char *failure(const char *message) {
    json_t *out = json_pack("{s:s}", "message", message);
    char *json = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return json;
}

static char *now(void) {
    time_t t = time(NULL);
    struct tm local;
    localtime_r(&t, &local);
    char date[32], clock[32], weekday[16], iso[40], zone[16];
    strftime(date, sizeof date, "%Y-%m-%d", &local);
    strftime(clock, sizeof clock, "%H:%M:%S", &local);
    strftime(weekday, sizeof weekday, "%A", &local);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S%z", &local);
    strftime(zone, sizeof zone, "%Z", &local);
    long offset = local.tm_gmtoff;
    char offsetText[16];
    snprintf(offsetText, sizeof offsetText, "%c%02ld:%02ld", offset < 0 ? '-' : '+', labs(offset) / 3600, labs(offset) % 3600 / 60);
    const char *tz = getenv("TZ");
    json_t *facts = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:I}", "date", date, "time", clock, "weekday", weekday,
                              "iso8601", iso, "timeZone", zone, "utcOffset", offsetText, "tz", tz, "unixTime", (json_int_t)t);
    char text[200];
    snprintf(text, sizeof text, "It is %s, %s %s (%s, UTC%s).", weekday, date, clock, zone, offsetText);
    return result(facts, text);
}

static char *machine(void) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    struct utsname names;
    uname(&names);
    struct sysinfo info;
    long uptime = sysinfo(&info) == 0 ? info.uptime : -1;
    json_t *facts = json_pack("{s:s, s:s, s:s, s:s, s:I}", "hostname", host, "system", names.sysname, "release",
                              names.release, "machine", names.machine, "uptimeSeconds", (json_int_t)uptime);
    char text[600];
    snprintf(text, sizeof text, "Host %s runs %s %s (%s), up %ld days %ld hours %ld minutes.", host, names.sysname,
             names.release, names.machine, uptime / 86400, uptime % 86400 / 3600, uptime % 3600 / 60);
    return result(facts, text);
}

static grok_plugin_status init(const char *config, const grok_host_api *host, void **context, char **error_json) {
    (void)config;
    (void)host;
    (void)error_json;
    *context = NULL;
    tzset();
    return GROK_PLUGIN_OK;
}

static grok_plugin_status call_tool(void *context, const char *tool, const char *arguments, char **out) {
    (void)context;
    (void)arguments;
    if (strcmp(tool, "now") == 0) *out = now();
    else if (strcmp(tool, "system") == 0) *out = machine();
    else {
        *out = failure("no such tool");
        return GROK_PLUGIN_NOT_FOUND;
    }
    return *out ? GROK_PLUGIN_OK : GROK_PLUGIN_ERROR;
}

static void free_string(void *context, char *string) {
    (void)context;
    free(string);
}

static void plugin_shutdown(void *context) { (void)context; }

static const grok_plugin_descriptor descriptor = {
    .abi_major = GROK_PLUGIN_ABI_MAJOR,
    .abi_minor = GROK_PLUGIN_ABI_MINOR,
    .struct_size = sizeof(grok_plugin_descriptor),
    .name = "sysinfo",
    .version = "1.0.0",
    .manifest = manifest,
    .init = init,
    .call_tool = call_tool,
    .retrieve = NULL,
    .free_string = free_string,
    .shutdown = plugin_shutdown,
};

const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
