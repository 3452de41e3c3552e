// The calc plugin's expression language: a recursive-descent parser that evaluates as it goes.
//
//   expression := term (('+' | '-') term)*
//   term       := unary (('*' | '/' | '%') unary)*
//   unary      := ('-' | '+') unary | power
//   power      := primary (('^' | '**') unary)?          (right-associative: 2^3^2 = 2^9)
//   primary    := number | constant | name '(' expression (',' expression)* ')' | '(' expression ')'
//
// + − × % and whole powers are exact decimals; '/' is exact when the quotient terminates. The
// functions (sqrt, ln, sin, …) work in binary floating point, and the result then says it is
// approximate. Never `eval`.
#include "expression.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *text;
    const char *at;
    int exact;
    char error[160];
} parser;

static int fail(parser *p, const char *format, const char *detail) {
    if (!p->error[0]) snprintf(p->error, sizeof p->error, format, detail, (int)(p->at - p->text) + 1);
    return 0;
}

static int status_error(parser *p, dec_status status) {
    switch (status) {
    case DEC_OK: return 1;
    case DEC_OVERFLOW: return fail(p, "%snumber too large (over 2000 digits) at %d", "");
    case DEC_DIVIDE_BY_ZERO: return fail(p, "%sdivision by zero at %d", "");
    case DEC_NO_MEMORY: return fail(p, "%sout of memory at %d", "");
    default: return fail(p, "%sbad number at %d", "");
    }
}

static void skip_space(parser *p) {
    while (isspace((unsigned char)*p->at)) p->at++;
}

/// Consumes `token` (after spaces) if it comes next.
static int accept(parser *p, const char *token) {
    skip_space(p);
    size_t n = strlen(token);
    if (strncmp(p->at, token, n) != 0) return 0;
    p->at += n;
    return 1;
}

static int expression(parser *p, dec *out);
static int unary(parser *p, dec *out);

/// A value computed in floating point, back into a decimal (and the result is approximate).
static int from_double(parser *p, double value, dec *out, const char *name) {
    if (isnan(value)) return fail(p, "%s is undefined for this argument (at %d)", name);
    if (isinf(value)) return fail(p, "%s overflows (at %d)", name);
    p->exact = 0;
    return status_error(p, dec_from_double(value, out));
}

static int call(parser *p, const char *name, dec *args, int count, dec *out) {
    double x = count > 0 ? dec_to_double(&args[0]) : 0;
    long long whole;
    if (strcmp(name, "abs") == 0 && count == 1) {
        if (dec_copy(&args[0], out)) return status_error(p, DEC_NO_MEMORY);
        out->sign = 1;
        return 1;
    }
    if ((strcmp(name, "min") == 0 || strcmp(name, "max") == 0) && count >= 1) {
        int best = 0, wantMax = name[1] == 'a';
        for (int i = 1; i < count; i++) {
            int c = dec_cmp(&args[i], &args[best]);
            if ((wantMax && c > 0) || (!wantMax && c < 0)) best = i;
        }
        return status_error(p, dec_copy(&args[best], out));
    }
    if (strcmp(name, "pow") == 0 && count == 2) {
        if (dec_to_int(&args[1], &whole)) {
            int exact;
            dec_status s = dec_pow_int(&args[0], whole, out, &exact);
            p->exact &= exact;
            return status_error(p, s);
        }
        return from_double(p, pow(x, dec_to_double(&args[1])), out, name);
    }
    if (strcmp(name, "factorial") == 0 && count == 1) {
        if (!dec_to_int(&args[0], &whole) || whole < 0) return fail(p, "%sfactorial needs a whole number ≥ 0 (at %d)", "");
        if (whole > 800) return status_error(p, DEC_OVERFLOW);
        dec result = {0};
        dec_from_int(1, &result);
        for (long long i = 2; i <= whole; i++) {
            dec factor = {0}, next = {0};
            dec_from_int(i, &factor);
            dec_status s = dec_mul(&result, &factor, &next);
            dec_free(&factor);
            dec_free(&result);
            if (s) return status_error(p, s);
            result = next;
        }
        *out = result;
        return 1;
    }
    if (count != 1) return fail(p, "unknown function %s or wrong number of arguments (at %d)", name);
    if (strcmp(name, "sqrt") == 0) {
        if (x < 0) return fail(p, "%ssquare root of a negative number (at %d)", "");
        return from_double(p, sqrt(x), out, name);
    }
    if (strcmp(name, "ln") == 0 || strcmp(name, "log") == 0 || strcmp(name, "log10") == 0 || strcmp(name, "log2") == 0) {
        if (x <= 0) return fail(p, "%s of a number ≤ 0 (at %d)", name);
        double v = name[1] == 'n' || strcmp(name, "log") == 0 ? log(x) : name[3] == '2' ? log2(x) : log10(x);
        return from_double(p, v, out, name);
    }
    struct { const char *name; double (*fn)(double); } table[] = {
        {"exp", exp}, {"sin", sin}, {"cos", cos}, {"tan", tan}, {"asin", asin}, {"acos", acos}, {"atan", atan},
        {"sinh", sinh}, {"cosh", cosh}, {"tanh", tanh}, {"floor", floor}, {"ceil", ceil}, {"round", round}, {"cbrt", cbrt},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) != 0) continue;
        int wasExact = p->exact;
        int ok = from_double(p, table[i].fn(x), out, name);
        // Rounding functions stay exact when their argument was exactly a double (so nothing was
        // lost on the way in) and the result is a whole number below 2^53.
        if (ok && (strcmp(name, "floor") == 0 || strcmp(name, "ceil") == 0 || strcmp(name, "round") == 0) && fabs(x) < 9e15) {
            dec back = {0};
            if (!dec_from_double(x, &back) && dec_cmp(&back, &args[0]) == 0) p->exact = wasExact;
            dec_free(&back);
        }
        return ok;
    }
    return fail(p, "unknown function %s (at %d)", name);
}

static int primary(parser *p, dec *out) {
    skip_space(p);
    const char *start = p->at;
    if (isdigit((unsigned char)*p->at) || *p->at == '.') {
        while (isdigit((unsigned char)*p->at) || *p->at == '.') p->at++;
        if ((*p->at == 'e' || *p->at == 'E') && (isdigit((unsigned char)p->at[1]) || ((p->at[1] == '-' || p->at[1] == '+') && isdigit((unsigned char)p->at[2])))) {
            p->at += 2;
            while (isdigit((unsigned char)*p->at)) p->at++;
        }
        char number[p->at - start + 1];
        memcpy(number, start, (size_t)(p->at - start));
        number[p->at - start] = 0;
        dec_status s = dec_parse(number, out);
        if (s == DEC_BAD_NUMBER) {
            p->at = start;
            return fail(p, "bad number %s at %d", number);
        }
        return status_error(p, s);
    }
    if (isalpha((unsigned char)*p->at)) {
        while (isalnum((unsigned char)*p->at) || *p->at == '_') p->at++;
        char name[32];
        int length = (int)(p->at - start) < 31 ? (int)(p->at - start) : 31;
        memcpy(name, start, (size_t)length);
        name[length] = 0;
        if (strcmp(name, "pi") == 0) {
            p->exact = 0;
            return status_error(p, dec_parse("3.141592653589793238462643383279503", out));
        }
        if (strcmp(name, "e") == 0) {
            p->exact = 0;
            return status_error(p, dec_parse("2.718281828459045235360287471352662", out));
        }
        if (!accept(p, "(")) return fail(p, "unknown name %s (at %d)", name);
        dec args[8] = {{0}};
        int count = 0, ok = 1;
        do {
            if (count == 8) {
                ok = fail(p, "%stoo many arguments (at %d)", "");
                break;
            }
            ok = expression(p, &args[count++]);
        } while (ok && accept(p, ","));
        if (ok && !accept(p, ")")) ok = fail(p, "%sexpected ')' at %d", "");
        if (ok) ok = call(p, name, args, count, out);
        for (int i = 0; i < count; i++) dec_free(&args[i]);
        return ok;
    }
    if (accept(p, "(")) {
        if (!expression(p, out)) return 0;
        if (accept(p, ")")) return 1;
        dec_free(out);
        return fail(p, "%sexpected ')' at %d", "");
    }
    if (!*p->at) return fail(p, "%sthe expression ends too early (at %d)", "");
    char bad[8] = {0};
    bad[0] = *p->at;
    return fail(p, "unexpected '%s' at %d", bad);
}

static int power(parser *p, dec *out) {
    if (!primary(p, out)) return 0;
    if (!accept(p, "**") && !accept(p, "^")) return 1;
    dec exponent = {0}, result = {0};
    if (!unary(p, &exponent)) {
        dec_free(out);
        return 0;
    }
    long long whole;
    int ok;
    if (dec_to_int(&exponent, &whole)) {
        int exact;
        dec_status s = dec_is_zero(out) && whole < 0 ? DEC_DIVIDE_BY_ZERO : dec_pow_int(out, whole, &result, &exact);
        ok = status_error(p, s);
        if (ok) p->exact &= exact;
    } else {
        double base = dec_to_double(out);
        if (base < 0) ok = fail(p, "%sa negative number to a fractional power (at %d)", "");
        else ok = from_double(p, pow(base, dec_to_double(&exponent)), &result, "power");
    }
    dec_free(&exponent);
    dec_free(out);
    *out = result;
    return ok;
}

static int unary(parser *p, dec *out) {
    if (accept(p, "-")) {
        if (!unary(p, out)) return 0;
        if (!dec_is_zero(out)) out->sign = -out->sign;
        return 1;
    }
    if (accept(p, "+")) return unary(p, out);
    return power(p, out);
}

/// a % b for whole numbers: the remainder with the sign of a.
static dec_status remainder_of(const dec *a, const dec *b, dec *out) {
    long long x, y;
    if (!dec_to_int(a, &x) || !dec_to_int(b, &y)) return DEC_BAD_NUMBER;
    if (y == 0) return DEC_DIVIDE_BY_ZERO;
    return dec_from_int(x % y, out);
}

static int term(parser *p, dec *out) {
    if (!unary(p, out)) return 0;
    for (;;) {
        char op;
        if (accept(p, "**")) {
            p->at -= 2;
            return 1;
        }
        if (accept(p, "*")) op = '*';
        else if (accept(p, "/")) op = '/';
        else if (accept(p, "%")) op = '%';
        else return 1;
        dec right = {0}, result = {0};
        if (!unary(p, &right)) {
            dec_free(out);
            return 0;
        }
        dec_status s;
        if (op == '*') {
            s = dec_mul(out, &right, &result);
        } else if (op == '/') {
            int exact;
            s = dec_div(out, &right, &result, &exact);
            p->exact &= exact;
        } else {
            s = remainder_of(out, &right, &result);
            if (s == DEC_BAD_NUMBER) {
                dec_free(&right);
                dec_free(out);
                return fail(p, "%s%% needs whole numbers of at most 18 digits (at %d)", "");
            }
        }
        dec_free(&right);
        dec_free(out);
        *out = result;
        if (!status_error(p, s)) return 0;
    }
}

static int expression(parser *p, dec *out) {
    if (!term(p, out)) return 0;
    for (;;) {
        int add;
        if (accept(p, "+")) add = 1;
        else if (accept(p, "-")) add = 0;
        else return 1;
        dec right = {0}, result = {0};
        if (!term(p, &right)) {
            dec_free(out);
            return 0;
        }
        dec_status s = add ? dec_add(out, &right, &result) : dec_sub(out, &right, &result);
        dec_free(&right);
        dec_free(out);
        *out = result;
        if (!status_error(p, s)) return 0;
    }
}

int calc_evaluate(const char *text, dec *out, int *exact, char *error, size_t error_size) {
    parser p = {text, text, 1, ""};
    int ok = expression(&p, out);
    skip_space(&p);
    if (ok && *p.at) {
        dec_free(out);
        char bad[8] = {*p.at, 0};
        ok = fail(&p, "unexpected '%s' at %d", bad);
    }
    *exact = p.exact;
    if (!ok) snprintf(error, error_size, "%s", p.error[0] ? p.error : "cannot evaluate");
    return ok;
}
