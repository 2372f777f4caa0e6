/* formats/read_glance_v1.c: not written yet */
#include "config.h"
typedef int stub_read_glance_v1;
