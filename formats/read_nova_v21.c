/* formats/read_nova_v21.c: not written yet */
#include "config.h"
typedef int stub_read_nova_v21;
