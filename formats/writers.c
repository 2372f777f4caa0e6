/* formats/writers.c: not written yet */
#include "config.h"
typedef int stub_writers;
