// The calc plugin's expression evaluator (see expression.c).
#ifndef CALC_EXPRESSION_H
#define CALC_EXPRESSION_H
#include <stddef.h>
#include "decimal.h"

/// Evaluates `text` into *out; *exact says whether the result is exact. On failure returns 0
/// and writes a message with the position into `error`.
int calc_evaluate(const char *text, dec *out, int *exact, char *error, size_t error_size);

/// Converts `value` between units of one kind (length, mass, time, data, temperature); returns 0
/// with a message for unknown units or units of different kinds.
int calc_convert(const dec *value, const char *from, const char *to, dec *out, int *exact, char *error, size_t error_size);
#endif
