// libedit (BSD editline), through its readline-compatible interface: line editing and
// history for `grokctl chat` at a terminal.
#include <stdio.h>
#include <editline/readline.h>
