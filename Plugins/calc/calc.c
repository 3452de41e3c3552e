// calc: exact arithmetic and unit conversion for the model, which is bad at both.
//
// Tools: `eval {expression}` (a real parser, see expression.c; + − × and whole powers exact at
// any size up to 2000 digits, '/' exact when it terminates) and `convert {value, from, to}`
// (length, mass, time, data sizes, temperature). A bad expression is a tool error the model
// can read ("division by zero at 7"), never a crash.
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "expression.h"
#include "grok_plugin.h"

static const char manifest[] =
    "{\"description\": \"Exact arithmetic and unit conversion.\", \"tools\": ["
    " {\"name\": \"eval\", \"description\": \"Evaluates an arithmetic expression exactly: + - * / % ^, parentheses, "
    "functions sqrt, pow, ln, log10, log2, exp, sin, cos, tan, asin, acos, atan, abs, floor, ceil, round, min, max, "
    "factorial; constants pi and e.\","
    "  \"inputSchema\": {\"type\": \"object\", \"properties\": {\"expression\": {\"type\": \"string\", \"minLength\": 1,"
    " \"maxLength\": 10000}}, \"required\": [\"expression\"], \"additionalProperties\": false}},"
    " {\"name\": \"convert\", \"description\": \"Converts a value between units of length (m, km, mi, ft, in, …), mass "
    "(kg, g, lb, oz, …), time (s, min, h, d, …), data (B, kB, MB, KiB, MiB, bit, …) or temperature (C, F, K).\","
    "  \"inputSchema\": {\"type\": \"object\", \"properties\": {\"value\": {\"type\": [\"number\", \"string\"]},"
    " \"from\": {\"type\": \"string\"}, \"to\": {\"type\": \"string\"}}, \"required\": [\"value\", \"from\", \"to\"],"
    " \"additionalProperties\": false}}"
    "]}";

/// An MCP tool result: the text for the model, and the facts as structured content.
static char *result(const char *text, json_t *facts, int isError) {
    json_t *out = json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", text, "isError", isError);
    if (facts) json_object_set_new(out, "structuredContent", facts);
    char *json = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return json;
}

static char *evaluate(json_t *arguments) {
    const char *expression = json_string_value(json_object_get(arguments, "expression"));
    if (!expression) return result("expression must be a string", NULL, 1);
    dec value = {0};
    int exact;
    char error[200];
    if (!calc_evaluate(expression, &value, &exact, error, sizeof error)) return result(error, json_pack("{s:s}", "error", error), 1);
    char *number = dec_format(&value);
    dec_free(&value);
    size_t size = strlen(expression) + strlen(number) + 32;
    char *text = malloc(size);
    snprintf(text, size, "%s %s %s", expression, exact ? "=" : "≈", number);
    char *out = result(text, json_pack("{s:s, s:b}", "result", number, "exact", exact), 0);
    free(text);
    free(number);
    return out;
}

static char *convert(json_t *arguments) {
    json_t *given = json_object_get(arguments, "value");
    const char *from = json_string_value(json_object_get(arguments, "from"));
    const char *to = json_string_value(json_object_get(arguments, "to"));
    char number[64];
    if (json_is_string(given)) snprintf(number, sizeof number, "%s", json_string_value(given));
    else if (json_is_integer(given)) snprintf(number, sizeof number, "%lld", (long long)json_integer_value(given));
    else if (json_is_real(given)) snprintf(number, sizeof number, "%.17g", json_real_value(given));
    else return result("value must be a number", NULL, 1);
    if (!from || !to) return result("from and to must be unit names", NULL, 1);
    dec value = {0}, converted = {0};
    if (dec_parse(number, &value)) return result("value is not a number", NULL, 1);
    int exact;
    char error[200];
    int ok = calc_convert(&value, from, to, &converted, &exact, error, sizeof error);
    dec_free(&value);
    if (!ok) return result(error, json_pack("{s:s}", "error", error), 1);
    char *text = dec_format(&converted);
    dec_free(&converted);
    char sentence[256];
    snprintf(sentence, sizeof sentence, "%s %s %s %s %s", number, from, exact ? "=" : "≈", text, to);
    char *out = result(sentence, json_pack("{s:s, s:s, s:b}", "result", text, "unit", to, "exact", exact), 0);
    free(text);
    return out;
}

static grok_plugin_status init(const char *config, const grok_host_api *host, void **context, char **error) {
    (void)config; (void)host; (void)error;
    *context = NULL;
    return GROK_PLUGIN_OK;
}

static grok_plugin_status call_tool(void *context, const char *tool, const char *arguments_json, char **out) {
    (void)context;
    json_t *arguments = json_loads(arguments_json, 0, NULL);
    if (!arguments) return GROK_PLUGIN_INVALID_ARGUMENTS;
    grok_plugin_status status = GROK_PLUGIN_OK;
    if (strcmp(tool, "eval") == 0) *out = evaluate(arguments);
    else if (strcmp(tool, "convert") == 0) *out = convert(arguments);
    else status = GROK_PLUGIN_NOT_FOUND;
    json_decref(arguments);
    if (status == GROK_PLUGIN_OK && !*out) status = GROK_PLUGIN_ERROR;
    return status;
}

static void free_string(void *context, char *string) {
    (void)context;
    free(string);
}

static void plugin_shutdown(void *context) { (void)context; }

static const grok_plugin_descriptor descriptor = {
    .abi_major = GROK_PLUGIN_ABI_MAJOR, .abi_minor = GROK_PLUGIN_ABI_MINOR, .struct_size = sizeof(grok_plugin_descriptor),
    .name = "calc", .version = "1.0.0", .manifest = manifest, .init = init, .call_tool = call_tool, .retrieve = NULL,
    .free_string = free_string, .shutdown = plugin_shutdown};

const grok_plugin_descriptor *grok_plugin_entry_v1(void) { return &descriptor; }
