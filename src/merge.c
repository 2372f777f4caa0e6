/* src/merge.c: not written yet */
#include "config.h"
typedef int stub_merge;
