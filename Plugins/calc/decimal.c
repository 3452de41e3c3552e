// Exact decimal arithmetic on little-endian digit arrays (see decimal.h). Schoolbook algorithms:
// numbers are bounded by DEC_MAX_DIGITS, so clarity beats speed here.
#include "decimal.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dec_free(dec *x) {
    free(x->d);
    x->d = NULL;
    x->n = 0;
}

static dec_status alloc(dec *x, int n) {
    x->d = calloc((size_t)(n > 0 ? n : 1), 1);
    x->n = n;
    return x->d ? DEC_OK : DEC_NO_MEMORY;
}

/// Drops leading zero digits; moves trailing zeros into the exponent; zero has sign 0... kept +1.
static dec_status normalize(dec *x) {
    while (x->n > 0 && x->d[x->n - 1] == 0) x->n--;
    int shift = 0;
    while (shift < x->n && x->d[shift] == 0) shift++;
    if (shift > 0) {
        memmove(x->d, x->d + shift, (size_t)(x->n - shift));
        x->n -= shift;
        x->exp += shift;
    }
    if (x->n == 0) {
        x->sign = 1;
        x->exp = 0;
    }
    // Exponents stay far from int's range, so every later sum of them is defined.
    return x->n > DEC_MAX_DIGITS || x->exp > DEC_MAX_EXPONENT || x->exp < -DEC_MAX_EXPONENT ? DEC_OVERFLOW : DEC_OK;
}

dec_status dec_copy(const dec *x, dec *out) {
    if (alloc(out, x->n)) return DEC_NO_MEMORY;
    memcpy(out->d, x->d, (size_t)x->n);
    out->sign = x->sign;
    out->exp = x->exp;
    return DEC_OK;
}

int dec_is_zero(const dec *x) { return x->n == 0; }

dec_status dec_parse(const char *text, dec *out) {
    const char *p = text;
    int sign = 1;
    if (*p == '-' || *p == '+') sign = *p++ == '-' ? -1 : 1;
    size_t length = strlen(p);
    if (alloc(out, (int)length)) return DEC_NO_MEMORY;
    int n = 0, fraction = 0, seenDot = 0, digits = 0;
    char reversed[length + 1];
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.' && !seenDot) {
            seenDot = 1;
        } else if (isdigit((unsigned char)*p)) {
            reversed[digits++] = *p;
            if (seenDot) fraction++;
        } else {
            dec_free(out);
            return DEC_BAD_NUMBER;
        }
    }
    long exponent = 0;
    if (*p) {
        char *end;
        exponent = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || labs(exponent) > 100000) {
            dec_free(out);
            return digits ? DEC_OVERFLOW : DEC_BAD_NUMBER;
        }
    }
    if (digits == 0) {
        dec_free(out);
        return DEC_BAD_NUMBER;
    }
    for (int i = digits - 1; i >= 0; i--) out->d[n++] = (uint8_t)(reversed[i] - '0');
    out->n = n;
    out->sign = sign;
    out->exp = (int)exponent - fraction;
    return normalize(out);
}

dec_status dec_from_int(long long value, dec *out) {
    char text[32];
    snprintf(text, sizeof text, "%lld", value);
    return dec_parse(text, out);
}

/// |a| vs |b| on digit arrays aligned at the same exponent.
static int cmp_digits(const uint8_t *a, int na, const uint8_t *b, int nb) {
    if (na != nb) return na < nb ? -1 : 1;
    for (int i = na - 1; i >= 0; i--)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/// x's digits at exponent `exp` (≤ x->exp): appended zeros.
static dec_status aligned(const dec *x, int exp, dec *out) {
    int shift = x->exp - exp;
    if (x->n + shift > 4 * DEC_MAX_DIGITS) return DEC_OVERFLOW;
    if (alloc(out, x->n + shift)) return DEC_NO_MEMORY;
    memcpy(out->d + shift, x->d, (size_t)x->n);
    out->exp = exp;
    out->sign = x->sign;
    return DEC_OK;
}

/// a + sign·b, both aligned to the same exponent.
static dec_status add_signed(const dec *a, const dec *b, int bsign, dec *out) {
    if (dec_is_zero(a)) {
        dec_status s = dec_copy(b, out);
        out->sign = bsign * (b->n ? b->sign : 1);
        return s;
    }
    if (dec_is_zero(b)) return dec_copy(a, out);
    int exp = a->exp < b->exp ? a->exp : b->exp;
    dec x = {0}, y = {0};
    dec_status s = aligned(a, exp, &x);
    if (!s) s = aligned(b, exp, &y);
    if (s) goto done;
    y.sign *= bsign;
    int n = (x.n > y.n ? x.n : y.n) + 1;
    if ((s = alloc(out, n))) goto done;
    out->exp = exp;
    if (x.sign == y.sign) {
        int carry = 0;
        for (int i = 0; i < n; i++) {
            int v = (i < x.n ? x.d[i] : 0) + (i < y.n ? y.d[i] : 0) + carry;
            out->d[i] = (uint8_t)(v % 10);
            carry = v / 10;
        }
        out->sign = x.sign;
    } else {
        const dec *big = &x, *small = &y;
        if (cmp_digits(x.d, x.n, y.d, y.n) < 0) big = &y, small = &x;
        int borrow = 0;
        for (int i = 0; i < n; i++) {
            int v = (i < big->n ? big->d[i] : 0) - (i < small->n ? small->d[i] : 0) - borrow;
            borrow = v < 0;
            out->d[i] = (uint8_t)(v + (borrow ? 10 : 0));
        }
        out->sign = big->sign;
    }
    s = normalize(out);
done:
    dec_free(&x);
    dec_free(&y);
    return s;
}

dec_status dec_add(const dec *a, const dec *b, dec *out) { return add_signed(a, b, 1, out); }
dec_status dec_sub(const dec *a, const dec *b, dec *out) { return add_signed(a, b, -1, out); }

dec_status dec_mul(const dec *a, const dec *b, dec *out) {
    if (a->n + b->n > DEC_MAX_DIGITS + 1) return DEC_OVERFLOW;
    if (alloc(out, a->n + b->n)) return DEC_NO_MEMORY;
    for (int i = 0; i < a->n; i++) {
        int carry = 0;
        for (int j = 0; j < b->n || carry; j++) {
            int v = out->d[i + j] + a->d[i] * (j < b->n ? b->d[j] : 0) + carry;
            out->d[i + j] = (uint8_t)(v % 10);
            carry = v / 10;
        }
    }
    out->sign = a->sign * b->sign;
    long long exp = (long long)a->exp + b->exp;
    if (exp > DEC_MAX_EXPONENT || exp < -DEC_MAX_EXPONENT) return DEC_OVERFLOW;
    out->exp = (int)exp;
    return normalize(out);
}

/// Compares without arithmetic (so numbers too far apart to subtract still compare): sign, then
/// magnitude (digits plus exponent), then digits from the most significant.
int dec_cmp(const dec *a, const dec *b) {
    int sa = dec_is_zero(a) ? 0 : a->sign, sb = dec_is_zero(b) ? 0 : b->sign;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    long long ma = (long long)a->n + a->exp, mb = (long long)b->n + b->exp;
    int magnitude = 0;
    if (ma != mb) {
        magnitude = ma < mb ? -1 : 1;
    } else {
        for (int i = 0; i < a->n || i < b->n; i++) {
            int da = i < a->n ? a->d[a->n - 1 - i] : 0, db = i < b->n ? b->d[b->n - 1 - i] : 0;
            if (da != db) {
                magnitude = da < db ? -1 : 1;
                break;
            }
        }
    }
    return sa * magnitude;
}

/// Long division of integer digit arrays: quotient digits of a / b and whether the remainder is 0.
static dec_status divide_digits(const uint8_t *a, int na, const uint8_t *b, int nb, dec *quotient, int *exact) {
    if (alloc(quotient, na)) return DEC_NO_MEMORY;
    uint8_t *rest = calloc((size_t)nb + 2, 1);
    if (!rest) return DEC_NO_MEMORY;
    int nr = 0;
    for (int i = na - 1; i >= 0; i--) {
        // rest = rest · 10 + a[i]
        memmove(rest + 1, rest, (size_t)nr);
        rest[0] = a[i];
        nr++;
        while (nr > 0 && rest[nr - 1] == 0) nr--;
        int digit = 0;
        while (cmp_digits(rest, nr, b, nb) >= 0) {
            int borrow = 0;
            for (int k = 0; k < nr; k++) {
                int v = rest[k] - (k < nb ? b[k] : 0) - borrow;
                borrow = v < 0;
                rest[k] = (uint8_t)(v + (borrow ? 10 : 0));
            }
            while (nr > 0 && rest[nr - 1] == 0) nr--;
            digit++;
        }
        quotient->d[i] = (uint8_t)digit;
    }
    *exact = nr == 0;
    free(rest);
    return DEC_OK;
}

/// Rounds x to `digits` significant digits, half to even; `sticky`: digits beyond were nonzero.
static void round_to(dec *x, int digits, int sticky) {
    if (x->n <= digits) return;
    int drop = x->n - digits;
    int first = x->d[drop - 1];
    for (int i = 0; i < drop - 1; i++) sticky |= x->d[i] != 0;
    memmove(x->d, x->d + drop, (size_t)digits);
    x->n = digits;
    x->exp += drop;
    int up = first > 5 || (first == 5 && (sticky || (x->d[0] & 1)));
    for (int i = 0; up && i <= x->n; i++) {
        if (i == x->n) {
            x->d[x->n++] = 1;
            break;
        }
        up = ++x->d[i] == 10;
        if (up) x->d[i] = 0;
    }
    normalize(x);
}

dec_status dec_div(const dec *a, const dec *b, dec *out, int *exact) {
    if (dec_is_zero(b)) return DEC_DIVIDE_BY_ZERO;
    *exact = 1;
    if (dec_is_zero(a)) return dec_from_int(0, out);
    // Scale a so the integer quotient has at least DEC_DIVISION_DIGITS + 2 digits.
    int scale = b->n - a->n + DEC_DIVISION_DIGITS + 2;
    if (scale < 0) scale = 0;
    dec scaled = {0};
    if (alloc(&scaled, a->n + scale)) return DEC_NO_MEMORY;
    memcpy(scaled.d + scale, a->d, (size_t)a->n);
    dec_status s = divide_digits(scaled.d, scaled.n, b->d, b->n, out, exact);
    dec_free(&scaled);
    if (s) return s;
    out->sign = a->sign * b->sign;
    out->exp = a->exp - b->exp - scale;
    s = normalize(out);
    if (!*exact) round_to(out, DEC_DIVISION_DIGITS, 1);
    return s;
}

dec_status dec_pow_int(const dec *x, long long power, dec *out, int *exact) {
    *exact = 1;
    unsigned long long remaining = power < 0 ? (unsigned long long)(-(power + 1)) + 1 : (unsigned long long)power;
    if (!dec_is_zero(x) && (double)x->n * (double)remaining > 4.0 * DEC_MAX_DIGITS && !(x->n == 1 && x->d[0] == 1 && x->exp == 0))
        return DEC_OVERFLOW;
    dec result = {0}, base = {0};
    dec_status s = dec_from_int(1, &result);
    if (!s) s = dec_copy(x, &base);
    while (!s && remaining) {
        dec next = {0};
        if (remaining & 1) {
            s = dec_mul(&result, &base, &next);
            dec_free(&result);
            result = next;
            next = (dec){0};
        }
        remaining >>= 1;
        if (!s && remaining) {
            s = dec_mul(&base, &base, &next);
            dec_free(&base);
            base = next;
        }
    }
    dec_free(&base);
    if (s) {
        dec_free(&result);
        return s;
    }
    if (power >= 0) {
        *out = result;
        return DEC_OK;
    }
    dec one = {0};
    dec_from_int(1, &one);
    s = dec_div(&one, &result, out, exact);
    dec_free(&one);
    dec_free(&result);
    return s;
}

int dec_to_int(const dec *x, long long *value) {
    if (x->exp < 0 || x->n + x->exp > 18) return 0;
    long long v = 0;
    for (int i = x->n - 1; i >= 0; i--) v = v * 10 + x->d[i];
    for (int i = 0; i < x->exp; i++) v *= 10;
    *value = x->sign * v;
    return 1;
}

double dec_to_double(const dec *x) {
    char *text = dec_format(x);
    double value = text ? strtod(text, NULL) : NAN;
    free(text);
    return value;
}

dec_status dec_from_double(double value, dec *out) {
    if (!isfinite(value)) return DEC_OVERFLOW;
    char text[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (strtod(text, NULL) == value) break;
    }
    return dec_parse(text, out);
}

char *dec_format(const dec *x) {
    if (dec_is_zero(x)) return strdup("0");
    int point = x->n + x->exp;  // digits before the decimal point
    size_t size = (size_t)x->n + 64 + (point > 0 ? (size_t)point : (size_t)-point);
    int plain = point <= 60 && point >= -20;
    char *out = malloc(plain ? size : (size_t)x->n + 32);
    if (!out) return NULL;
    char *p = out;
    if (x->sign < 0) *p++ = '-';
    if (plain) {
        if (point <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -point; i++) *p++ = '0';
            for (int i = x->n - 1; i >= 0; i--) *p++ = (char)('0' + x->d[i]);
        } else {
            for (int i = 0; i < point; i++) *p++ = (char)('0' + (x->n - 1 - i >= 0 ? x->d[x->n - 1 - i] : 0));
            if (x->exp < 0) {
                *p++ = '.';
                for (int i = x->n - 1 - point; i >= 0; i--) *p++ = (char)('0' + x->d[i]);
            }
        }
        *p = 0;
    } else {
        *p++ = (char)('0' + x->d[x->n - 1]);
        if (x->n > 1) {
            *p++ = '.';
            for (int i = x->n - 2; i >= 0; i--) *p++ = (char)('0' + x->d[i]);
        }
        sprintf(p, "e%+d", point - 1);
    }
    return out;
}
