// Exact decimal numbers for the calc plugin: a sign, decimal digits and a power of ten.
// + − × and integer powers are exact; division is exact when the quotient terminates and is
// otherwise rounded (half to even) to DEC_DIVISION_DIGITS significant digits, and says so.
#ifndef CALC_DECIMAL_H
#define CALC_DECIMAL_H
#include <stdint.h>

/// Digits a number may have before it is an overflow (keeps every operation fast and bounded).
#define DEC_MAX_DIGITS 2000
/// The largest power of ten a number may carry (10^±10,000,000).
#define DEC_MAX_EXPONENT 10000000
/// Significant digits of a quotient that does not terminate.
#define DEC_DIVISION_DIGITS 34

/// value = sign · digits · 10^exp; digits little-endian (d[0] is the last), n = 0 for zero.
typedef struct {
    int sign;
    int exp;
    int n;
    uint8_t *d;
} dec;

typedef enum { DEC_OK = 0, DEC_OVERFLOW, DEC_DIVIDE_BY_ZERO, DEC_NO_MEMORY, DEC_BAD_NUMBER } dec_status;

void dec_free(dec *x);
dec_status dec_copy(const dec *x, dec *out);
/// Parses "12", "-3.25", "1.5e-7"; returns DEC_BAD_NUMBER for anything else.
dec_status dec_parse(const char *text, dec *out);
dec_status dec_from_int(long long value, dec *out);
dec_status dec_add(const dec *a, const dec *b, dec *out);
dec_status dec_sub(const dec *a, const dec *b, dec *out);
dec_status dec_mul(const dec *a, const dec *b, dec *out);
/// *exact is set to 0 when the quotient had to be rounded.
dec_status dec_div(const dec *a, const dec *b, dec *out, int *exact);
/// x^power for an integer power (negative: 1 / x^−power).
dec_status dec_pow_int(const dec *x, long long power, dec *out, int *exact);
int dec_cmp(const dec *a, const dec *b);
int dec_is_zero(const dec *x);
/// Whether x is a whole number that fits a long long (then stored in *value).
int dec_to_int(const dec *x, long long *value);
double dec_to_double(const dec *x);
/// The shortest decimal that round-trips `value` (marked inexact by the caller).
dec_status dec_from_double(double value, dec *out);
/// Plain notation ("-0.00125", "1267650600228229401496703205376") when short enough, else
/// scientific ("1.5e+1000"). The caller frees the string.
char *dec_format(const dec *x);
#endif
