// Unit conversion for the calc plugin: exact decimal factors to one base unit per kind (every
// factor below is exact by definition), and the affine temperature scales.
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "expression.h"

typedef struct {
    const char *names;  // aliases, separated by '|'
    const char *kind;
    const char *factor; // how many base units one of these is
} unit;

static const unit units[] = {
    {"m|meter|meters|metre|metres", "length", "1"},
    {"km|kilometer|kilometers|kilometre|kilometres", "length", "1000"},
    {"cm|centimeter|centimeters", "length", "0.01"},
    {"mm|millimeter|millimeters", "length", "0.001"},
    {"um|µm|micrometer|micrometers|micron", "length", "0.000001"},
    {"nm|nanometer|nanometers", "length", "0.000000001"},
    {"mi|mile|miles", "length", "1609.344"},
    {"yd|yard|yards", "length", "0.9144"},
    {"ft|foot|feet", "length", "0.3048"},
    {"in|inch|inches", "length", "0.0254"},
    {"nmi|nautical_mile|nautical_miles", "length", "1852"},
    {"kg|kilogram|kilograms", "mass", "1"},
    {"g|gram|grams", "mass", "0.001"},
    {"mg|milligram|milligrams", "mass", "0.000001"},
    {"t|tonne|tonnes", "mass", "1000"},
    {"lb|lbs|pound|pounds", "mass", "0.45359237"},
    {"oz|ounce|ounces", "mass", "0.028349523125"},
    {"st|stone|stones", "mass", "6.35029318"},
    {"s|sec|second|seconds", "time", "1"},
    {"ms|millisecond|milliseconds", "time", "0.001"},
    {"us|µs|microsecond|microseconds", "time", "0.000001"},
    {"ns|nanosecond|nanoseconds", "time", "0.000000001"},
    {"min|minute|minutes", "time", "60"},
    {"h|hr|hour|hours", "time", "3600"},
    {"d|day|days", "time", "86400"},
    {"wk|week|weeks", "time", "604800"},
    {"yr|year|years", "time", "31557600"},  // the Julian year, 365.25 days
    {"bit|bits", "data", "1"},
    {"B|byte|bytes", "data", "8"},
    {"kB|KB|kilobyte|kilobytes", "data", "8000"},
    {"MB|megabyte|megabytes", "data", "8000000"},
    {"GB|gigabyte|gigabytes", "data", "8000000000"},
    {"TB|terabyte|terabytes", "data", "8000000000000"},
    {"KiB|kibibyte|kibibytes", "data", "8192"},
    {"MiB|mebibyte|mebibytes", "data", "8388608"},
    {"GiB|gibibyte|gibibytes", "data", "8589934592"},
    {"TiB|tebibyte|tebibytes", "data", "8796093022208"},
    {"kbit|kb|kilobit|kilobits", "data", "1000"},
    {"Mbit|Mb|megabit|megabits", "data", "1000000"},
    {"Gbit|Gb|gigabit|gigabits", "data", "1000000000"},
    {"C|°C|celsius", "temperature", "C"},
    {"F|°F|fahrenheit", "temperature", "F"},
    {"K|kelvin", "temperature", "K"},
};

/// Case matters for the short data names (MB vs Mb); long names match in any case.
static const unit *find(const char *name) {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        const char *p = units[i].names;
        while (*p) {
            size_t n = strcspn(p, "|");
            int caseless = n > 3;
            if (strlen(name) == n && (caseless ? strncasecmp(p, name, n) == 0 : strncmp(p, name, n) == 0)) return &units[i];
            p += n + (p[n] == '|');
        }
    }
    return NULL;
}

/// value ∘ (scale, offset): value · scale + offset, exact where the decimals allow.
static int affine(const dec *value, const char *numerator, const char *denominator, const char *offset, dec *out, int *exact) {
    dec a = {0}, b = {0}, c = {0}, t = {0}, u = {0};
    int ok = !dec_parse(numerator, &a) && !dec_parse(denominator, &b) && !dec_parse(offset, &c) && !dec_mul(value, &a, &t);
    int divided = 1;
    if (ok) ok = !dec_div(&t, &b, &u, &divided);
    if (ok) ok = !dec_add(&u, &c, out);
    *exact &= divided;
    dec_free(&a); dec_free(&b); dec_free(&c); dec_free(&t); dec_free(&u);
    return ok;
}

static int temperature(const dec *value, char from, char to, dec *out, int *exact) {
    // Through kelvin: C + 273.15, (F − 32) · 5/9 + 273.15; back: K − 273.15, (K − 273.15) · 9/5 + 32.
    dec kelvin = {0}, celsius = {0};
    int ok;
    if (from == 'K') {
        ok = !dec_copy(value, &kelvin);
    } else if (from == 'C') {
        ok = affine(value, "1", "1", "273.15", &kelvin, exact);
    } else {
        dec thirtyTwo = {0};
        ok = !dec_parse("32", &thirtyTwo) && !dec_sub(value, &thirtyTwo, &celsius) && affine(&celsius, "5", "9", "273.15", &kelvin, exact);
        dec_free(&thirtyTwo);
        dec_free(&celsius);
    }
    if (ok && to == 'K') ok = !dec_copy(&kelvin, out);
    else if (ok && to == 'C') ok = affine(&kelvin, "1", "1", "-273.15", out, exact);
    else if (ok) ok = affine(&kelvin, "1", "1", "-273.15", &celsius, exact) && affine(&celsius, "9", "5", "32", out, exact);
    dec_free(&kelvin);
    dec_free(&celsius);
    return ok;
}

int calc_convert(const dec *value, const char *from, const char *to, dec *out, int *exact, char *error, size_t size) {
    const unit *a = find(from), *b = find(to);
    if (!a || !b) {
        snprintf(error, size, "unknown unit %s", a ? to : from);
        return 0;
    }
    if (strcmp(a->kind, b->kind) != 0) {
        snprintf(error, size, "cannot convert %s (%s) to %s (%s)", from, a->kind, to, b->kind);
        return 0;
    }
    *exact = 1;
    int ok;
    if (strcmp(a->kind, "temperature") == 0) {
        ok = temperature(value, a->factor[0], b->factor[0], out, exact);
    } else {
        ok = affine(value, a->factor, b->factor, "0", out, exact);
    }
    if (!ok) snprintf(error, size, "the number is too large to convert");
    return ok;
}
