/* src/output.c: not written yet */
#include "config.h"
typedef int stub_output;
